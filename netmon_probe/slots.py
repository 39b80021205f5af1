"""When a check's runs are due: on its phase inside its interval, so checks spread out.

Pure functions, shared by the centre's dispatcher (monitor.scheduling) and the probes.
"""

import math

GOLDEN_RATIO_FRACTION = 0.6180339887498949


def phase(check_id: int, interval_s: float) -> float:
    """Where in each interval a check's slots fall: ids spread evenly (golden-ratio sequence)."""
    return (check_id * GOLDEN_RATIO_FRACTION) % 1.0 * interval_s


def slot_after(now: float, interval_s: float, phase_s: float) -> float:
    """The first slot of a check strictly after `now`."""
    return phase_s + (math.floor((now - phase_s) / interval_s) + 1) * interval_s
