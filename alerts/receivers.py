"""How alerts hear of new readings: receivers of core.contracts.signals, connected in AlertsConfig.ready()."""

from alerts.evaluator import agent_evaluator, host_evaluator
from alerts.readings import agent_readings, host_readings_of


def evaluate_frame(sender, frame: dict, **kwargs) -> None:
    """Agent rules, on every frame of an agent once it is in history (in the ingest process).

    Only the readings a rule of the agent can use are worked out: most agents have none.
    """
    host = frame["host"]
    read = lambda metrics: agent_readings(frame, metrics)  # noqa: E731
    agent_evaluator().evaluate_watched(f"agent:{host}", host, read, frame["ts"])


def evaluate_presence(sender, offline: list[str], back: list[str], ts: float, **kwargs) -> None:
    """The agent_offline rules: 1 for every silent agent, each second; 0 for one whose frames returned."""
    readings = {f"agent:{name}": (name, {"agent_offline": 1.0}) for name in offline}
    readings |= {f"agent:{name}": (name, {"agent_offline": 0.0}) for name in back}
    agent_evaluator().evaluate_and_record(readings, ts)


def evaluate_probe_presence(sender, offline: list[str], back: list[str], ts: float, **kwargs) -> None:
    """The probe_offline rules: 1 for every probe whose lease lapsed, each second; 0 for one that came back."""
    readings = {f"probe:{name}": (name, {"probe_offline": 1.0}) for name in offline}
    readings |= {f"probe:{name}": (name, {"probe_offline": 0.0}) for name in back}
    agent_evaluator().evaluate_and_record(readings, ts)


def evaluate_results(sender, recorded, **kwargs) -> None:
    """Host rules, after each saved batch of check results (in the checks worker's writer thread)."""
    if recorded.hosts:
        host_evaluator().evaluate_and_record(host_readings_of(recorded))


def evaluate_events(sender, events: list, **kwargs) -> None:
    """Rules on network events, after each stored batch (in the events receiver's writer thread)."""
    from alerts.event_evaluator import event_evaluator

    event_evaluator().evaluate_and_record(events)


def evaluate_flows(sender, minutes: list, hosts: dict, **kwargs) -> None:
    """Rules on flows, after each written batch of minutes (in the flow collector's database thread)."""
    from alerts.flow_evaluator import flow_evaluator

    flow_evaluator().evaluate_and_record(minutes, hosts)
