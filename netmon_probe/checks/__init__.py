"""The network side of the check kinds, without any framework: both the centre's checks
workers (monitor.checks) and the probes run these."""
