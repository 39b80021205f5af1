"""A discovery plan run on the lab: every router and switch becomes a monitored device
with an SNMP check (policy "add"), or waits in the review list (policy "review"); the
links between them are on the map."""

import pytest

from dashboard.topology import topology
from discovery import service
from discovery.models import Candidate, Plan
from monitor.models import Check, Host
from tests.lab.snmp import router_credentials

pytestmark = pytest.mark.django_db(transaction=True)


def lab_plan(lab, policy: str) -> Plan:
    plan = Plan.objects.create(name=f"lab {policy}", seeds=lab["nodes"][0]["address"], scope=lab["network"],
                               policy=policy)  # fmt: skip
    plan.credential_sets.create(position=0, version="2c", community=lab["community"])
    v3 = router_credentials(lab)
    plan.credential_sets.create(position=1, version="3", user=v3.user, auth_password=v3.auth_password,
                                priv_password=v3.priv_password)  # fmt: skip
    return plan


def test_policy_add_monitors_every_device_with_its_links_on_the_map(lab):
    counts = service.run(lab_plan(lab, Plan.Policy.ADD))
    assert counts["added"] == 4, counts
    assert sorted(Host.objects.values_list("name", flat=True)) == ["r1", "r2", "sw1", "sw2"]
    assert {c.host.name: c.snmp_version for c in Check.objects.select_related("host")} == {
        "r1": "3", "r2": "3", "sw1": "2c", "sw2": "2c"}  # fmt: skip
    graph = topology()
    labels = {node["id"]: node["label"] for node in graph["nodes"]}
    edges = {tuple(sorted((labels[e["source"]], labels[e["target"]]))) for e in graph["edges"]}
    assert {("r1", "sw1"), ("r1", "r2"), ("r2", "sw2")} <= edges

    assert service.run(Plan.objects.get())["known"] == 4  # rediscovery adds nothing twice
    assert Host.objects.count() == 4


def test_policy_review_lists_devices_without_monitoring_them(lab):
    counts = service.run(lab_plan(lab, Plan.Policy.REVIEW))
    assert counts["pending"] == 4
    assert not Host.objects.exists()
    assert sorted(Candidate.objects.values_list("name", flat=True)) == ["r1", "r2", "sw1", "sw2"]
