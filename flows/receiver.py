"""The collector's UDP side: each datagram decoded at once, its records put in the minute buffer.

Each exporter has a token bucket (netmon_probe.token_buckets): what one exporter sends past its
rate is dropped before decoding and counted, so one flooding exporter cannot starve the others.
"""

import asyncio
import socket
import time

from flows.buffers import MinuteBuffer
from flows.decoding.decoder import FlowDecoder
from netmon_probe.token_buckets import TokenBuckets

NETFLOW, SFLOW = "netflow", "sflow"
RECEIVE_BUFFER = 16 << 20
RATE_LIMITED = "rate_limited"


class FlowProtocol(asyncio.DatagramProtocol):
    """One socket (NetFlow/IPFIX or sFlow); the decoder, buffer and buckets are shared by both."""

    def __init__(self, kind: str, decoder: FlowDecoder, buffer: MinuteBuffer, buckets: TokenBuckets) -> None:
        self.decode = decoder.netflow if kind == NETFLOW else decoder.sflow
        self.decoder, self.buffer, self.buckets = decoder, buffer, buckets

    def datagram_received(self, data: bytes, address: tuple) -> None:
        now = time.time()
        exporter = address[0].removeprefix("::ffff:")
        if not self.buckets.take(exporter, time.monotonic()):
            self.decoder.tally.dropped(RATE_LIMITED)
            return
        records = self.decode(data, exporter, now)
        if len(records):
            self.buffer.add(exporter, records, now, self.decoder.tally)

    def error_received(self, exc: Exception) -> None:
        self.decoder.tally.dropped("socket_error")


async def listen(kind: str, host: str, port: int, decoder: FlowDecoder, buffer: MinuteBuffer, buckets: TokenBuckets):
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    # Exporters send in bursts (a flow cache expiring at once): a large buffer rides them out
    # (the kernel caps it at net.core.rmem_max).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    sock.bind((host, port))
    transport, _ = await loop.create_datagram_endpoint(lambda: FlowProtocol(kind, decoder, buffer, buckets), sock=sock)
    return transport
