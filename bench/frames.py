"""Stats frames shaped like an agent's, with moving values, for benchmarks and screenshots."""

import random


def agent_frame(name: str, ts: float, cpu: float | None = None) -> dict:
    cpu = random.uniform(1, 99) if cpu is None else cpu
    rx = random.uniform(1e5, 1e8)
    quiet = {"rx_errors_ps": 0.0, "tx_errors_ps": 0.0, "rx_drops_ps": 0.0, "tx_drops_ps": 0.0}
    return {
        "type": "stats", "host": name, "ts": ts,
        "cpu": {"count": 8, "percent": cpu, "user": cpu * 0.6, "system": cpu * 0.3, "iowait": 0.5, "steal": 0.0},
        "load": {"1m": cpu / 12, "5m": cpu / 14, "15m": cpu / 16, "per_core": cpu / 96},
        "mem": {"total": 32 << 30, "used": 12 << 30, "percent": random.uniform(30, 60), "swap_total": 0,
                "swap_percent": 0.0},
        "disk": {"mounts": {"/": {"total": 500 << 30, "used": 200 << 30, "percent": 40.0}}},
        "net": {
            "lo": {"rx_bps": 1e3, "tx_bps": 1e3, "up": True, **quiet},
            "eth0": {"rx_bps": rx, "tx_bps": rx / 3, "up": True, "speed_mbps": 10000, "mtu": 1500, **quiet},
        },
        "tcp": {"established": 120, "time_wait": 30},
        "uptime": 86400 * 12,
    }  # fmt: skip
