"""Benchmark of a probe's flow receiver and its hand-over at the centre (`make bench-probe-datagrams`).

Not part of the test suite. A minute of NetFlow v5 from a busy site (BENCH_DATAGRAMS
datagrams of 30 flows each, from 20 exporters) goes through the probe's forwarder as its
UDP receiver hands it on: taken (rate check and entry text), written to its disk buffer
and sent to its datagram stream, as after an outage; then the centre's probes process
part reads the stream and stores the flows' minute rows. Reported: datagrams a second for
each step. Everything runs on loopback, against a throwaway SQLite database and its own
Redis prefix.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("probe-datagrams")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.common import run_facts, save_results  # noqa: E402
from flows.models import Talker  # noqa: E402
from monitor.models import Site  # noqa: E402
from netmon_probe import datagrams, keys  # noqa: E402
from netmon_probe.buffer import Buffer  # noqa: E402
from netmon_probe.cli import redis_client  # noqa: E402
from netmon_probe.receivers import Forwarder, Settings  # noqa: E402
from probes.handover import DatagramIntake  # noqa: E402
from probes.intake import GROUP  # noqa: E402
from probes.models import Probe  # noqa: E402
from stats.shards.shard import Shard  # noqa: E402
from tests.flows import packets  # noqa: E402

DATAGRAMS = int(os.environ.get("BENCH_DATAGRAMS", "60000"))
EXPORTERS = 20


def flows(n: int) -> bytes:
    return packets.v5([{"src": f"198.18.{n % 250}.{i + 1}", "dst": "198.19.0.1", "sport": 40000 + i, "dport": 443,
                        "proto": 6, "bytes": 1500, "packets": 3} for i in range(30)])  # fmt: skip


def probe_side(probe: Probe) -> dict:
    receiving = Settings("127.0.0.1", {datagrams.NETFLOW: 0}, events_per_source=1e9, flows_per_exporter=1e9)
    buffer = Buffer(WORKDIR / "datagrams.sqlite", DATAGRAMS * 2)
    forwarder = Forwarder(redis_client(os.environ["REDIS_URL"]), probe.name, buffer, settings.REDIS_PREFIX, receiving)
    payloads = [flows(n) for n in range(100)]
    started = time.perf_counter()
    for n in range(DATAGRAMS):
        forwarder.take(datagrams.NETFLOW, payloads[n % 100], (f"198.51.100.{n % EXPORTERS + 1}", 2055))
    taken_s = time.perf_counter() - started
    started = time.perf_counter()
    forwarder.flush()
    flushed_s = time.perf_counter() - started
    buffer.close()
    return {"datagrams": DATAGRAMS, "bytes_each": len(payloads[0]), "taken_per_s": round(DATAGRAMS / taken_s),
            "to_disk_and_redis_per_s": round(DATAGRAMS / flushed_s), "sent": forwarder.sent}  # fmt: skip


def centre_side(name: str) -> dict:
    shard = Shard("probes@bench", group=GROUP, relayed=False)
    shard.add({name: 1})  # the lease the coordinator would give it, in one process here
    intake, handed, started = DatagramIntake(shard), 0, time.perf_counter()
    while handed < DATAGRAMS:
        handed += intake.step()
    elapsed = time.perf_counter() - started
    return {"handed_over": handed, "per_s": round(handed / elapsed), "minute_rows": Talker.objects.count()}


def main() -> None:
    call_command("migrate", verbosity=0)
    probe = Probe(name="bench-probe", site=Site.objects.create(name="bench-branch"), password_digest="")
    probe.key = "unused"
    probe.save()
    try:
        results = {"probe": probe_side(probe)}
        print("probe:", results["probe"], flush=True)
        results["centre"] = centre_side(probe.name)
        print("centre:", results["centre"], flush=True)
    finally:
        from core.redis_io.redis_clients import sync_redis

        sync_redis().delete(keys.datagrams_key(settings.REDIS_PREFIX, probe.name))
    save_results("probe-datagrams", {**run_facts(), **results})


if __name__ == "__main__":
    main()
