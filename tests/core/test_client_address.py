"""Whose address a request is: X-Forwarded-For is believed from the proxies named in TRUSTED_PROXIES alone."""

import ipaddress

import pytest
from django.test import RequestFactory

from core.security.client_address import client_address

PROXIES = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1/128")]


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),  # not from a proxy: the header is the sender's own
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "203.0.113.1, 198.51.100.7", "198.51.100.7"),  # the left one was written by the client
        ("10.0.0.5", "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # through two proxies of ours
        ("::1", "2001:db8::7", "2001:db8::7"),
        ("10.0.0.5", "", "10.0.0.5"),  # a proxy's own request (or one that wrote no header)
        ("10.0.0.5", "10.0.0.8, 10.0.0.9", "10.0.0.8"),
        ("10.0.0.5", "198.51.100.7, not-an-address", "10.0.0.5"),  # no hop beyond a broken one is believed
    ],
)
def test_the_client_is_the_right_most_hop_that_is_not_a_trusted_proxy(settings, remote, forwarded, client):
    settings.TRUSTED_PROXIES = PROXIES
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


def test_without_trusted_proxies_the_connection_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(request) == "10.0.0.5"
