"""How long a test waits for something that must happen.

One bound for every awaited event (a socket's frame, a process's readiness, text in the
browser), generous because the suite shares its machine: on two cores kept busy by other
work, an alert's toast took longer than Playwright's default of 5 s to show. A passing
test never waits this long; only a failing one does. Waits for something that must NOT
happen stay short where they are: absence is not slowed down by load.
"""

EVENT_TIMEOUT_S = 30
EVENT_TIMEOUT_MS = EVENT_TIMEOUT_S * 1000  # Playwright counts in milliseconds
