"""Cause before symptom on the lab: the link between r1 and sw1 goes down (its veth, on r1's
side). sw1 and the hosts behind it stop answering; dependencies derived from LLDP, the
switch's forwarding table, r1's ARP table and the server's own network put sw1 behind r1
and the hosts behind sw1. One root-cause alert (sw1) is sent, once; the hosts' alerts are
held as unreachable via sw1. Restoring the link resolves all, and tells no one of the hosts."""

import json

import pytest
from django.contrib.auth import get_user_model

from alerts.evaluator import Evaluator
from alerts.models import Alert, AlertEvent, AlertRule, Notification, NotificationTarget
from core.contracts.metrics import HOST_ALERT_METRICS
from discovery import decisions
from monitor.models import Check, Host
from status import documents
from status.models import StatusPage
from tests import targets
from tests.lab.conftest import in_namespace
from tests.lab.polling import poll, snmp_check, until
from tests.lab.snmp import router_credentials, switch_credentials

pytestmark = pytest.mark.django_db(transaction=True)
HOSTS = {"h1": "198.19.141.11", "h2": "198.19.141.12"}


def ping_check(name: str, address: str) -> Check:
    check = Check(host=Host.objects.create(name=name, address=address), kind="ping", interval_s=10, timeout_s=2,
                  ping_count=2)  # fmt: skip
    check.full_clean()
    check.save()
    return check


@pytest.fixture
def link_restored(lab):
    yield
    in_namespace(lab, "r1", "ip", "link", "set", "to-sw1", "up")


def statuses() -> dict[str, str]:
    return dict(Host.objects.values_list("name", "status"))


def test_a_cut_link_gives_one_root_cause_alert_and_holds_the_hosts_behind_it(lab, link_restored, admin_client):
    for host in HOSTS:  # each host talks once: its MAC is in sw1's forwarding table and r1's ARP table
        in_namespace(lab, host, "python3", "-c", "import socket; socket.socket(2, 2).sendto(b'x', ('198.19.141.1', 9))")
    checks = [snmp_check(Host.objects.create(name="r1", address="198.19.140.2"), router_credentials(lab)),
              snmp_check(Host.objects.create(name="sw1", address="198.19.141.2"), switch_credentials(lab))]  # fmt: skip
    checks += [ping_check(name, address) for name, address in HOSTS.items()]
    operator = get_user_model().objects.create_user("noc")
    NotificationTarget.objects.create(user=operator, url=f"json://127.0.0.1:{targets.closed_port()}/alerts")
    rule = AlertRule.objects.create(name="host down", metric="host_down", comparison=">", threshold=0)
    rule.recipients.set([operator])
    evaluator = Evaluator(HOST_ALERT_METRICS)

    poll(checks, evaluator)
    assert set(statuses().values()) == {"up"}, statuses()
    decisions.forget()
    found, _ = decisions.dependencies()
    ids = dict(Host.objects.values_list("name", "id"))
    assert found[ids["sw1"]] == [ids["r1"]]
    assert found[ids["h1"]] == [ids["sw1"]]

    in_namespace(lab, "r1", "ip", "link", "set", "to-sw1", "down")
    poll(checks, evaluator)
    assert statuses() == {"r1": "up", "sw1": "down", "h1": "down", "h2": "down"}
    alerts = {a.subject_label: a for a in Alert.objects.all()}
    assert alerts["sw1"].state == "firing"
    assert alerts["sw1"].events.get().behind == 2
    assert {alerts[h].state for h in HOSTS} == {"held"}
    assert {alerts[h].events.get().via for h in HOSTS} == {"sw1"}
    assert Notification.objects.count() == 1
    assert Notification.objects.get().event.alert == alerts["sw1"]
    held = admin_client.get(f"/api/hosts/{ids['h1']}/dependencies/").json()
    assert held["parents"] == [{"id": ids["sw1"], "name": "sw1"}]
    assert held["unreachable_via"] == {"id": ids["sw1"], "name": "sw1"}
    assert admin_client.get(f"/api/hosts/{ids['sw1']}/dependencies/").json()["root_cause_of"] == 2
    page = StatusPage.objects.create(slug="lan", title="LAN", show_reasons=True)
    page.hosts.set(Host.objects.filter(name__in=["sw1", *HOSTS]))
    shown = {h["name"]: h for h in json.loads(documents.build(page).text)["sections"][0]["hosts"]}
    assert shown["h1"]["reason"].startswith("unreachable via sw1")  # the status page says where the problem is
    alerts_page = admin_client.get("/alerts/").content.decode()
    assert alerts_page.count('data-kind="held"') == 2  # listed, dimmed by the stylesheet
    assert "unreachable via sw1" in alerts_page
    nodes = {node["label"]: node for node in admin_client.get("/map.json").json()["nodes"]}
    assert nodes["sw1"]["root_cause"]  # the map marks the cause (the hosts are not on it: no LLDP)

    in_namespace(lab, "r1", "ip", "link", "set", "to-sw1", "up")
    until(lambda: set(poll(checks, evaluator) and statuses().values()) == {"up"}, "the hosts behind sw1 to answer")
    assert set(Alert.objects.values_list("state", flat=True)) == {"resolved"}
    assert Notification.objects.count() == 2  # sw1 fired and resolved; the hosts' alerts told no one
    assert AlertEvent.objects.filter(kind="held").count() == 2
