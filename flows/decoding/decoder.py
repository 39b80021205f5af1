"""One entry point for every packet a collector receives: the format is read from its first bytes.

`FlowDecoder.netflow` takes what arrives on the NetFlow port (v5, v9, IPFIX), `.sflow`
what arrives on the sFlow port. Neither raises on bad input: it is counted in `tally`
(`dropped_malformed`, `dropped_unknown_version`, ...) and an empty array comes back.
"""

import struct

import numpy as np

from flows.decoding import netflow_v5
from flows.decoding import sflow as sflow_format
from flows.decoding.records import Malformed, Tally, empty
from flows.decoding.template_flows import TemplateDecoder
from flows.decoding.templates import TemplateCache

EXPIRE_EVERY_S = 5.0


class FlowDecoder:
    def __init__(self, cache: TemplateCache | None = None) -> None:
        self.tally = Tally()
        self.templates = TemplateDecoder(cache)
        self.counters: list[sflow_format.InterfaceCounters] = []
        self._expired_at = 0.0

    def netflow(self, packet: bytes, exporter: str, now: float) -> np.ndarray:
        self._expire(now)
        version = struct.unpack_from(">H", packet)[0] if len(packet) >= 2 else 0
        decode = {
            5: lambda: netflow_v5.decode(packet, self.tally),
            9: lambda: self.templates.decode_v9(packet, exporter, now, self.tally),
            10: lambda: self.templates.decode_ipfix(packet, exporter, now, self.tally),
        }.get(version)
        if decode is None:
            self.tally["packets"] += 1
            self.tally.dropped("unknown_version")
            return empty()
        return self._guarded(decode)

    def sflow(self, packet: bytes, exporter: str, now: float) -> np.ndarray:
        return self._guarded(lambda: sflow_format.decode(packet, exporter, self.tally, self.counters))

    def take_counters(self) -> list[sflow_format.InterfaceCounters]:
        taken, self.counters = self.counters, []
        return taken

    def _guarded(self, decode) -> np.ndarray:
        self.tally["packets"] += 1
        try:
            return decode()
        except (Malformed, struct.error, ValueError, IndexError):
            self.tally.dropped("malformed")
            return empty()

    def _expire(self, now: float) -> None:
        if now - self._expired_at >= EXPIRE_EVERY_S:
            self._expired_at = now
            self.templates.cache.expire(now, self.tally)
