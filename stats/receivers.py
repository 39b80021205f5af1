"""What stats does when the checks record results: their values become history."""

from collections.abc import Iterator
from itertools import chain

from stats.history.ingest import Sample
from stats.history.metrics import check_points, check_source, device_source, port_points
from stats.history.stores import write as store


def store_check_history(sender, results, interfaces=(), **kwargs) -> None:
    """Inside the results' transaction (core.contracts.signals.results_saved): both commit or neither."""
    store(chain(_samples(results), _port_samples(interfaces)))


def _port_samples(interfaces) -> Iterator[Sample]:
    for interface in interfaces:
        ts = interface.polled_at.timestamp()
        source = device_source(interface.host_id)
        for metric, label, value in port_points(interface):
            yield source, metric, label, ts, value


def _samples(results) -> Iterator[Sample]:
    for result in results:
        ts = result.started_at.timestamp()
        source = check_source(result.host_check_id)
        for metric, label, value in check_points(result.passed, result.latency_ms, result.loss_pct):
            yield source, metric, label, ts, value
