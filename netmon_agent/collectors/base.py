from typing import Any


class Collector:
    """Reads one statistic of this host.

    `collect(elapsed)` returns a JSON-ready value for the frame key `key`;
    `elapsed` is the seconds since this collector's previous successful call
    (None on the first), for collectors that turn counters into rates. A
    collector keeps whatever previous readings it needs on itself.
    """

    key: str

    def collect(self, elapsed: float | None) -> Any:
        raise NotImplementedError
