"""Settings for what network devices send to the server: flows to the flow collector, SNMP traps
and syslog to the events receiver. Read from the environment like the rest of settings.py,
which takes them with `globals().update(device_inputs(BASE_DIR))`."""

from pathlib import Path

from NetWorkMonitor.env import env_float, env_int, env_list, env_str


def device_inputs(base_dir: Path) -> dict:
    return {
        # Flows (manage.py collect_flows).
        # Where the collector listens: NetFlow v5/v9 and IPFIX on one UDP port, sFlow v5 on another.
        "FLOWS_BIND": env_str("FLOWS_BIND", "127.0.0.1"),
        "NETFLOW_PORT": env_int("NETFLOW_PORT", 2055, minimum=0),
        "SFLOW_PORT": env_int("SFLOW_PORT", 6343, minimum=0),
        # Rows kept per interface, direction and minute in each top-N table (plus one "other").
        "FLOWS_TOP_N": env_int("FLOWS_TOP_N", 10, minimum=1),
        # How often the live top talkers (the last minute) go to the pages watching a device.
        "FLOWS_LIVE_EVERY_S": env_float("FLOWS_LIVE_EVERY_S", 3.0, minimum=0.5),
        # Datagrams per second one exporter may send (a token bucket), and at once; past it they are
        # dropped and counted.
        "FLOWS_DATAGRAMS_PER_EXPORTER": env_float("FLOWS_DATAGRAMS_PER_EXPORTER", 20_000.0, minimum=1),
        "FLOWS_BURST_PER_EXPORTER": env_int("FLOWS_BURST_PER_EXPORTER", 40_000, minimum=1),
        # How long each flow tier is kept: per-minute and per-hour top-N rows.
        "FLOWS_MINUTE_HOURS": env_int("FLOWS_MINUTE_HOURS", 48, minimum=1),
        "FLOWS_HOUR_DAYS": env_int("FLOWS_HOUR_DAYS", 90, minimum=1),
        # Network events (events app): the receiver's ports, high by default so it needs no privilege
        # (docs/features/events.md shows how to take 162 and 514), and what one source may send.
        "EVENTS_HOST": env_str("EVENTS_HOST", "127.0.0.1"),
        "TRAP_PORT": env_int("TRAP_PORT", 1162, minimum=1),
        "SYSLOG_PORT": env_int("SYSLOG_PORT", 1514, minimum=1),
        "TRAP_COMMUNITIES": env_list("TRAP_COMMUNITIES", ["public"]),
        "EVENTS_RATE_PER_SOURCE": env_float("EVENTS_RATE_PER_SOURCE", 1000.0, minimum=1),
        "EVENTS_BURST_PER_SOURCE": env_int("EVENTS_BURST_PER_SOURCE", 2000, minimum=1),
        "EVENTS_TCP_FRAME_TIMEOUT_S": env_float("EVENTS_TCP_FRAME_TIMEOUT_S", 30.0, minimum=0.1),
        "EVENTS_RETENTION_DAYS": env_int("EVENTS_RETENTION_DAYS", 30, minimum=1),
        "EVENTS_MAX_ROWS": env_int("EVENTS_MAX_ROWS", 5_000_000, minimum=1000),
        # Vendor MIBs administrators upload, compiled to Python modules the receiver loads.
        "VENDOR_MIB_DIR": env_str("VENDOR_MIB_DIR", str(base_dir / ".run" / "mibs")),
    }
