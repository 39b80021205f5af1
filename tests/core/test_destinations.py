"""The shared address policy (core.security.destinations): every form of a denied address is refused."""

import pytest

from core.security import destinations

METADATA_FORMS = [
    "169.254.169.254",
    "::ffff:169.254.169.254",  # IPv4-mapped
    "::a9fe:a9fe",  # IPv4-compatible
    "64:ff9b::a9fe:a9fe",  # NAT64
    "2002:a9fe:a9fe::1",  # 6to4
    "0xa9fea9fe",  # the C library reads integers as addresses
    "2852039166",
    "0251.0376.0251.0376",
    "fd00:ec2::254",  # AWS over IPv6
    "100.100.100.200",  # Alibaba Cloud
    "192.0.0.192",  # Oracle Cloud
    "fe80::1",
    "fe80::1%eth0",
    "febf::1",
    "0.0.0.0",
    "0.1.2.3",
    "::",
]


@pytest.mark.parametrize("address", METADATA_FORMS)
def test_it_refuses_every_form_of_a_denied_address(address):
    assert "denied network" in destinations.refusal(address)
    assert "denied network" in destinations.host_refusal(address)


@pytest.mark.parametrize("name", ["metadata.google.internal", "METADATA.google.internal.", "metadata.goog"])
def test_it_refuses_metadata_service_names_as_typed(name):
    assert "metadata service" in destinations.host_refusal(name)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "::1", "10.1.2.3", "::ffff:10.1.2.3", "64:ff9b::a01:203", "2001:db8::1", "198.18.0.1"]
)
def test_it_allows_loopback_private_and_lab_addresses(address):
    assert destinations.refusal(address) is None


def test_it_judges_names_only_when_they_resolve():
    assert destinations.host_refusal("example.org") is None


def test_configured_networks_apply_to_the_carried_ipv4_address_too(settings):
    settings.CHECK_DENY_NETWORKS = ["10.9.0.0/16"]
    assert "10.9.0.0/16" in destinations.refusal("::ffff:10.9.4.4")
    assert "10.9.0.0/16" in destinations.refusal("64:ff9b::a09:404")
