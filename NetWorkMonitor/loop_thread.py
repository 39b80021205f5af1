"""A long-lived asyncio event loop in a daemon thread, for sync Celery workers.

`async_to_sync` would build a new loop, and new Redis connections, on every call.
"""

import asyncio
import threading


def start_loop_thread(name: str) -> asyncio.AbstractEventLoop:
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name=name, daemon=True).start()
    return loop
