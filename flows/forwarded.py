"""NetFlow, IPFIX and sFlow a probe's receivers took (core.contracts.signals.datagrams_forwarded),
decoded and stored as the collector's own: the same decoders, per-exporter buckets, device
match by exporter address, top-N minute rows, port counters, counts and alert rules.

Runs in the probes process, inside the transaction that saves the probe's stream position
(probes.handover): a datagram's flows are stored once. Each batch's records are written as
top-N rows of the minute its datagrams were received in (the probe's clock); several
batches of one minute are several rows, which the tables add up (flows.query, flows.tiers).
Each probe has a decoder of its own: templates are an exporter's, and two sites may use the
same private addresses. The live top talkers are the collector's alone.
"""

import functools
import logging
from collections import Counter, defaultdict

import numpy as np
import redis
from django.conf import settings
from django.db import transaction

from core.contracts import signals
from core.redis_io.redis_clients import sync_redis
from flows import counts, writer
from flows.buffers import MINUTE
from flows.decoding.decoder import FlowDecoder
from flows.exporters import ExporterMap
from flows.receiver import RATE_LIMITED
from netmon_probe.datagrams import NETFLOW, SFLOW
from netmon_probe.token_buckets import TokenBuckets

logger = logging.getLogger(__name__)


class Forwarded:
    def __init__(self) -> None:
        self.decoders: dict[str, FlowDecoder] = {}
        self.written: dict[str, Counter] = defaultdict(Counter)  # per probe: the tally already in Redis
        self.clocks: dict[str, float] = defaultdict(float)
        self.buckets = TokenBuckets(settings.FLOWS_DATAGRAMS_PER_EXPORTER, settings.FLOWS_BURST_PER_EXPORTER)
        self.exporters = ExporterMap()

    def receive(self, sender, probe: str, datagrams: list, **kwargs) -> None:
        mine = [d for d in datagrams if d.receiver in (NETFLOW, SFLOW)]
        if not mine:
            return
        decoder = self.decoders.setdefault(probe, FlowDecoder())
        minutes = defaultdict(list)
        for datagram in mine:
            exporter = datagram.source.removeprefix("::ffff:")
            self.clocks[probe] = max(self.clocks[probe], datagram.received)  # a bucket's clock never goes back
            if not self.buckets.take(f"{probe}/{exporter}", self.clocks[probe]):
                decoder.tally.dropped(RATE_LIMITED)
                continue
            decode = decoder.netflow if datagram.receiver == NETFLOW else decoder.sflow
            records = decode(datagram.payload, exporter, datagram.received)
            if len(records):
                minutes[(int(datagram.received) // MINUTE * MINUTE, exporter)].append(records)
        closed = [(minute, exporter, np.concatenate(parts)) for (minute, exporter), parts in sorted(minutes.items())]
        _, hosts = writer.store_minutes(closed, self.exporters, settings.FLOWS_TOP_N)
        if port_counters := decoder.take_counters():
            writer.write_counters(port_counters)
        transaction.on_commit(lambda: self.committed(probe, decoder, closed, hosts))

    def committed(self, probe: str, decoder: FlowDecoder, closed: list, hosts: dict) -> None:
        if closed:
            signals.send_logged(signals.flows_recorded, sender=Forwarded, minutes=closed, hosts=hosts)
        grown = {name: n - self.written[probe][name] for name, n in decoder.tally.items()}
        grown = {name: int(n) for name, n in grown.items() if n}
        if not grown:
            return
        try:
            with sync_redis().pipeline(transaction=False) as pipe:
                for name, n in grown.items():
                    pipe.hincrby(counts.forwarded_tally_key(), name, n)
                pipe.execute()
        except (redis.RedisError, OSError) as error:
            logger.warning("counts of probe %r's flows not recorded (%s)", probe, type(error).__name__)
            return
        self.written[probe].update(grown)


@functools.cache
def forwarded() -> Forwarded:
    return Forwarded()


def receive(sender, **kwargs) -> None:
    forwarded().receive(sender, **kwargs)
