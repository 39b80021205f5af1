"""The recorded agent frames and check latencies (bench/record_history.py), as per-series arrays.

Each series is what history keeps of the recording: the agent's kept frame values
(stats.history.metrics.frame_points) per second, and a TCP check's up and latency.
Replayed, a host's hour is the recording rotated by an offset of its own, so no two
hosts or hours in a block repeat each other's values second for second.
"""

import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT = Path(os.environ.get("BENCH_RECORDING", Path(__file__).resolve().parent / "data" / "recording.jsonl.gz"))
CHECK_INTERVAL_S = 30


@dataclass
class Recording:
    seconds: int
    agent: dict[tuple[str, str], np.ndarray]  # (metric, label) -> float32 per second, NaN where none
    check: dict[str, np.ndarray]  # metric -> float32 per second, NaN but every CHECK_INTERVAL_S
    frames: list[dict]


def load(path: Path = DEFAULT) -> Recording:
    from stats.history.metrics import frame_points

    with gzip.open(path, "rt") as lines:
        entries = [json.loads(line) for line in lines]
    seconds = len(entries)
    agent: dict[tuple[str, str], np.ndarray] = {}
    for index, entry in enumerate(entries):
        for metric, label, value in frame_points(entry["frame"]):
            agent.setdefault((metric, label), np.full(seconds, np.nan, np.float32))[index] = value
    latency = np.array([np.nan if e["tcp_ms"] is None else e["tcp_ms"] for e in entries], np.float32)
    up = np.where(np.isnan(latency), 0.0, 1.0).astype(np.float32)
    every = np.arange(seconds) % CHECK_INTERVAL_S == 0
    check = {
        "check.up": np.where(every, up, np.nan).astype(np.float32),
        "check.latency_ms": np.where(every, latency, np.nan).astype(np.float32),
    }
    return Recording(seconds, agent, check, [entry["frame"] for entry in entries])


def rotated(values: np.ndarray, start: int, length: int) -> np.ndarray:
    """`length` values of a recorded series from second `start`, wrapping around its end."""
    indexes = (start + np.arange(length)) % len(values)
    return values[indexes]
