"""The flow collector process (`manage.py collect_flows`): UDP receivers, minute writer and live talkers.

Datagrams are decoded as they arrive, on the event loop (numpy does the bulk work).
Every second the closed minutes go to the database and, every FLOWS_LIVE_EVERY_S, the
last minute's top talkers go to the pages watching each device; both in one database
thread so the receivers never wait. Each loop runs supervised (core.supervision).
"""

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import signal
import time

from django.conf import settings
from django.db import close_old_connections

from core.redis_io.publisher import send_frames
from core.supervision import supervised
from flows import counts, live, writer
from flows.buffers import MinuteBuffer
from flows.decoding.decoder import FlowDecoder
from flows.exporters import ExporterMap
from flows.receiver import NETFLOW, SFLOW, listen
from netmon_probe.token_buckets import TokenBuckets

logger = logging.getLogger(__name__)
WRITER, LIVE = "flows-writer", "flows-live"
TALLY_LOG_EVERY_S = 60.0


def fresh(function, *arguments):
    close_old_connections()  # drops a connection the database broke, and one grown old
    return function(*arguments)


class Collector:
    def __init__(self) -> None:
        self.decoder, self.buffer, self.exporters = FlowDecoder(), MinuteBuffer(), ExporterMap()
        self.buckets = TokenBuckets(settings.FLOWS_DATAGRAMS_PER_EXPORTER, settings.FLOWS_BURST_PER_EXPORTER)
        self.database = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="flows-db")

    async def in_database(self, function, *arguments):
        return await asyncio.get_running_loop().run_in_executor(self.database, fresh, function, *arguments)

    async def keep_writing(self) -> None:
        logged = time.monotonic()
        while True:
            await asyncio.sleep(1.0)
            closed = self.buffer.closed(time.time())
            if closed:
                rows = await self.in_database(writer.write_minutes, closed, self.exporters, settings.FLOWS_TOP_N)
                logger.info("flows: %d minute rows written from %d exporters", rows, len(closed))
            counters = self.decoder.take_counters()
            if counters:
                await self.in_database(writer.write_counters, counters)
            await counts.write_tally(self.decoder.tally)
            if time.monotonic() - logged > TALLY_LOG_EVERY_S:
                logged = time.monotonic()
                logger.info("flows: %s", dict(self.decoder.tally))

    async def keep_telling(self) -> None:
        window = live.LiveWindow()
        while True:
            await asyncio.sleep(settings.FLOWS_LIVE_EVERY_S)
            fresh = self.buffer.take_fresh()
            frames = await self.in_database(window.frames, fresh, self.exporters, time.time())
            if frames:
                await send_frames(frames)

    async def serve(self) -> None:
        host = settings.FLOWS_BIND
        transports = [
            await listen(NETFLOW, host, settings.NETFLOW_PORT, self.decoder, self.buffer, self.buckets),
            await listen(SFLOW, host, settings.SFLOW_PORT, self.decoder, self.buffer, self.buckets),
        ]
        ports = [t.get_extra_info("sockname")[1] for t in transports]
        logger.info("flows collector listening on %s: NetFlow/IPFIX udp/%d, sFlow udp/%d", host, *ports)
        print(f"flows collector listening on {host} netflow={ports[0]} sflow={ports[1]}", flush=True)
        tasks = [
            asyncio.create_task(supervised(WRITER, self.keep_writing, shared=True)),
            asyncio.create_task(supervised(LIVE, self.keep_telling, shared=True)),
        ]
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, lambda: [task.cancel() for task in tasks])
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*tasks)
        finally:
            for transport in transports:
                transport.close()
            await self.write_the_rest()

    async def write_the_rest(self) -> None:
        """On a stop: what is buffered goes to the database (the minute so far included), then the counts."""
        closed = self.buffer.closed(time.time(), everything=True)
        if closed:
            await self.in_database(writer.write_minutes, closed, self.exporters, settings.FLOWS_TOP_N)
        logger.info("flows collector stopped: %s", json.dumps(dict(self.decoder.tally), sort_keys=True))


def run() -> None:
    collector = Collector()
    try:
        asyncio.run(collector.serve())
    finally:
        collector.database.shutdown(wait=True)
