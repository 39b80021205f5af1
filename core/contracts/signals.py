"""The signals through which the apps below (stats, monitor) tell the apps above what happened.

stats and monitor never import alerts, chat, api or dashboard; those connect to these
signals in their AppConfig.ready(). Receivers run synchronously in the sender's
thread. Signals sent after a commit use `send_robust`, so one failing receiver costs
only its own work; `results_saved` uses `send`, so a failing receiver rolls the batch back.

frame_sampled(sender, frame: dict)
    An agent's frame was written to history (stats.intake), sent after the commit, once
    per frame in the order the agent sampled them. `frame` is the stats frame as the
    dashboards got it, its "host" the agent's name. Sent in the ingest process.

agent_presence(sender, offline: list[str], back: list[str], ts: float)
    Once a second while any agent is offline (silent for AGENT_OFFLINE_AFTER s), and when
    one comes back (stats.service, ingest process). `offline`: every agent now offline;
    `back`: agents whose frames returned since the previous signal.

streams_released(sender, names: list[str])
    This ingest process gave up the agents' streams `names` (stats.shards: another
    process owns them now, or this one stops), after writing what it held of them and
    before another takes them. Receivers hand over what they keep per agent (alerts: its
    rules' states) through Redis.

streams_taken(sender, names: list[str])
    This ingest process now owns the agents' streams `names`, before it reads them.

probe_presence(sender, offline: list[str], back: list[str], ts: float)
    Once a second from the probes process (probes.presence): `offline`, every probe whose
    lease lapsed (the checks of its site are UNKNOWN, not DOWN, until it returns); `back`,
    probes that came back since the previous signal.

results_saved(sender, results: list[CheckResult], interfaces: list[Interface], withdrawn: list[CheckResult])
    A batch of check results is being saved (monitor.results; probes.recording, where each
    is a slot of a check voted across its sites, probes.slot_votes), inside its transaction:
    a receiver's writes commit or roll back with the results.
    `interfaces`: the SNMP ports the batch polled, with their new rates (monitor.devices.ports).
    `withdrawn` (probes only, may be absent): earlier votes of slots that `results` replace,
    once counted and now to be taken out of the uptime ledger.

results_recorded(sender, recorded: monitor.results.Recorded)
    A batch of check results was saved and committed, with the host states it changed
    (monitor.runner, in the checks worker's writer thread). Receivers publish live
    frames and evaluate alert rules.

events_recorded(sender, events: list[events.received.Received], interfaces: list[Interface])
    A batch of network events (SNMP traps, syslog) was stored (events.writer, in the events
    receiver's writer thread, after the commit), each as plain data with its device's host id.
    `interfaces`: the ports whose state a
    linkDown or linkUp in the batch changed. Receivers push those ports live and evaluate
    event alert rules.

flows_recorded(sender, minutes: list[tuple[int, str, numpy.ndarray]], hosts: dict[str, int | None])
    The flow collector wrote closed minutes (flows.writer, in its database thread, after the
    commit): each (minute's start, exporter's address, its records as flows.decoding.records.RECORD,
    scaled by their sampling rate). `hosts`: each exporter's device id, or None. Receivers
    evaluate flow alert rules.

datagrams_forwarded(sender, probe: str, datagrams: list[netmon_probe.datagrams.Datagram])
    Datagrams a probe's receivers took (traps, syslog, NetFlow/IPFIX, sFlow) were read from its
    datagram stream (probes.handover, in the probes process), sent with `send` inside the
    transaction that saves the stream's position: a receiver stores them there, exactly once,
    or raises and the batch is read again. events and flows store theirs as if their own
    receivers had taken them, and send events_recorded / flows_recorded after the commit.
"""

import logging

import django.dispatch

logger = logging.getLogger(__name__)

frame_sampled = django.dispatch.Signal()
agent_presence = django.dispatch.Signal()
streams_released = django.dispatch.Signal()
streams_taken = django.dispatch.Signal()
probe_presence = django.dispatch.Signal()
results_saved = django.dispatch.Signal()
results_recorded = django.dispatch.Signal()
events_recorded = django.dispatch.Signal()
flows_recorded = django.dispatch.Signal()
datagrams_forwarded = django.dispatch.Signal()


def send_logged(signal: django.dispatch.Signal, sender, **kwargs) -> None:
    """Send to every receiver; a receiver that raises is logged and the others still run."""
    for receiver, error in signal.send_robust(sender=sender, **kwargs):
        if error is not None:
            logger.error("%s failed", getattr(receiver, "__qualname__", receiver), exc_info=error)
