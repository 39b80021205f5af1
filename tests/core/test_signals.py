"""Signals between apps: a receiver that fails is logged, and the others still run."""

import logging

import django.dispatch

from core.contracts.signals import send_logged


def test_a_failing_receiver_is_logged_and_the_next_still_runs(caplog):
    signal = django.dispatch.Signal()
    heard = []

    def broken(sender, **kwargs):
        raise ValueError("rule table gone")

    def listening(sender, value, **kwargs):
        heard.append(value)

    signal.connect(broken, weak=False)
    signal.connect(listening, weak=False)
    with caplog.at_level(logging.ERROR, logger="core.contracts.signals"):
        send_logged(signal, sender=object, value=7)
    assert heard == [7]
    assert "broken failed" in caplog.text
    assert "rule table gone" in caplog.text
