"""One object per event loop (netmon_probe.per_loop): kept with the check runners the
probes share, and imported from here by the server's own modules."""

from netmon_probe.per_loop import per_loop  # noqa: F401
