"""The signals through which the apps below (stats, monitor) tell the apps above what happened.

stats and monitor never import alerts, chat, api or dashboard; those connect to these
signals in their AppConfig.ready(). Receivers run synchronously in the sender's
thread. Signals sent after a commit use `send_robust`, so one failing receiver costs
only its own work; `results_saved` uses `send`, so a failing receiver rolls the batch back.

frame_sampled(sender, frame: dict)
    An agent sampled its host and published the frame (stats.agent). `frame` is the
    stats frame as sent to dashboards. Sent in the agent process once per tick.

results_saved(sender, results: list[CheckResult])
    A batch of check results is being saved (monitor.results), inside its transaction:
    a receiver's writes commit or roll back with the results.

results_recorded(sender, recorded: monitor.results.Recorded)
    A batch of check results was saved and committed, with the host states it changed
    (monitor.runner, in the checks worker's writer thread). Receivers publish live
    frames and evaluate alert rules.
"""

import logging

import django.dispatch

logger = logging.getLogger(__name__)

frame_sampled = django.dispatch.Signal()
results_saved = django.dispatch.Signal()
results_recorded = django.dispatch.Signal()


def send_logged(signal: django.dispatch.Signal, sender, **kwargs) -> None:
    """Send to every receiver; a receiver that raises is logged and the others still run."""
    for receiver, error in signal.send_robust(sender=sender, **kwargs):
        if error is not None:
            logger.error("%s failed", getattr(receiver, "__qualname__", receiver), exc_info=error)
