"""NetFlow v9 and IPFIX packets: their sets walked, templates learnt, data sets decoded in bulk."""

import struct

import numpy as np

from flows.decoding import data_sets, template_sets
from flows.decoding.records import Malformed, Tally, empty
from flows.decoding.templates import DomainKey, Template, TemplateCache

V9_HEADER = struct.Struct(">HHIIII")  # version, count, uptime, unix secs, sequence, source id
IPFIX_HEADER = struct.Struct(">HHIII")  # version, length, export time, sequence, observation domain


class TemplateDecoder:
    """Decodes NetFlow v9 and IPFIX for any number of exporters, keeping their templates."""

    def __init__(self, cache: TemplateCache | None = None) -> None:
        self.cache = cache or TemplateCache()

    def decode_v9(self, packet: bytes, exporter: str, now: float, tally: Tally) -> np.ndarray:
        if len(packet) < V9_HEADER.size:
            raise Malformed("shorter than a NetFlow v9 header")
        domain = (exporter, V9_HEADER.unpack_from(packet)[5])
        sets = {0: lambda body: template_sets.v9_templates(body), 1: template_sets.v9_options_templates}
        return self._sets(packet, V9_HEADER.size, len(packet), domain, sets, now, tally)

    def decode_ipfix(self, packet: bytes, exporter: str, now: float, tally: Tally) -> np.ndarray:
        if len(packet) < IPFIX_HEADER.size:
            raise Malformed("shorter than an IPFIX header")
        _, length, _, _, observation_domain = IPFIX_HEADER.unpack_from(packet)
        if length < IPFIX_HEADER.size or length > len(packet):
            raise Malformed(f"an IPFIX message saying it is {length} bytes is {len(packet)}")
        sets = {
            2: lambda body: template_sets.ipfix_templates(body, options=False),
            3: lambda body: template_sets.ipfix_templates(body, options=True),
        }
        return self._sets(packet, IPFIX_HEADER.size, length, (exporter, observation_domain), sets, now, tally)

    def _sets(self, packet, offset, end, domain: DomainKey, template_kinds, now, tally) -> np.ndarray:
        out = []
        while end - offset >= 4:
            set_id, length = struct.unpack_from(">HH", packet, offset)
            if length < 4 or offset + length > end:
                raise Malformed(f"a set of {length} bytes at {offset} in {end}")
            body = packet[offset + 4 : offset + length]
            offset += length
            if set_id in template_kinds:
                out += self._learn(template_kinds[set_id](body), set_id in (1, 3), domain, now, tally)
            elif set_id >= 256:
                out.append(self._data(body, domain, set_id, now, tally))
            else:
                tally.dropped("unknown_set")
        return np.concatenate(out) if out else empty()

    def _learn(self, templates, options: bool, domain: DomainKey, now: float, tally: Tally) -> list[np.ndarray]:
        decoded = []
        for template_id, fields in templates:
            if not fields:  # IPFIX withdrawal
                self.cache.withdraw(domain, template_id)
                continue
            if self.cache.learn(domain, template_id, Template.build(fields, options, now), tally):
                for body in self.cache.take_pending(domain, template_id):
                    decoded.append(self._data(body, domain, template_id, now, tally))
        return decoded

    def _data(self, body: bytes, key: DomainKey, template_id: int, now: float, tally: Tally) -> np.ndarray:
        template = self.cache.find(key, template_id)
        if template is None:
            self.cache.hold(now, key, template_id, body, tally)
            return empty()
        domain = self.cache.domains[key]
        columns = data_sets.columns(body, template)
        if template.options:
            data_sets.learn_sampling_rate(columns, domain, tally)
            return empty()
        return data_sets.flow_records(columns, domain, tally)
