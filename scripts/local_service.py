"""What ensure_redis.py and ensure_postgres.py share: waiting for a server they started."""

import sys
import time
from collections.abc import Callable


def wait_until_answering(answers: Callable[[], bool], seconds: float, failure: str) -> None:
    """Poll `answers` until it is true; exit with `failure` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not answers():
        if time.monotonic() > deadline:
            sys.exit(failure)
        time.sleep(0.1)
