"""Templates of NetFlow v9 and IPFIX exporters, and the data that came before its template.

Templates are kept per exporter and observation domain (v9: source id), refreshed when
sent again and forgotten when not refreshed for `template_ttl_s`. Each fixed-length
template is turned into a numpy structured dtype once, so its data sets decode in one call.
Everything is bounded: templates per domain, domains, and data sets waiting for a template;
what goes over a bound or waits too long is counted and dropped.
"""

from collections import OrderedDict, deque
from dataclasses import dataclass, field

import numpy as np

from flows.decoding import elements
from flows.decoding.records import Tally

Field = tuple[int | None, int]  # (element, length); element None: skipped (enterprise, v9 scope)
DomainKey = tuple[str, int]  # (exporter, observation domain)


@dataclass
class Template:
    fields: list[Field]
    options: bool
    seen: float
    dtype: np.dtype | None = None  # None: a variable-length field, decoded record by record
    reads: list[Field] = field(default_factory=list)

    @classmethod
    def build(cls, fields: list[Field], options: bool, seen: float) -> "Template":
        template = cls(fields, options, seen, reads=[f for f in fields if f[0] in elements.READ])
        if all(length != elements.VARIABLE for _, length in fields):
            template.dtype = structured_dtype(fields)
        return template


def structured_dtype(fields: list[Field]) -> np.dtype:
    names, formats, offsets, offset = [], [], [], 0
    for element, length in fields:
        if element in elements.READ and f"e{element}" not in names:
            names.append(f"e{element}")
            integer = element in elements.INTEGERS and length in (1, 2, 4, 8)
            formats.append(f">u{length}" if integer else ("u1", (length,)))
            offsets.append(offset)
        offset += length
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": offset})


@dataclass
class Domain:
    templates: dict[int, Template] = field(default_factory=dict)
    sampling_rate: int = 1


class TemplateCache:
    def __init__(
        self,
        template_ttl_s: float = 1800.0,
        max_templates_per_domain: int = 256,
        max_domains: int = 4096,
        max_pending: int = 1024,
        pending_ttl_s: float = 60.0,
    ) -> None:
        self.template_ttl_s, self.pending_ttl_s = template_ttl_s, pending_ttl_s
        self.max_templates, self.max_domains, self.max_pending = max_templates_per_domain, max_domains, max_pending
        self.domains: OrderedDict[DomainKey, Domain] = OrderedDict()
        self.pending: deque[tuple[float, DomainKey, int, bytes]] = deque()

    def domain(self, key: DomainKey, tally: Tally) -> Domain | None:
        found = self.domains.get(key)
        if found is None:
            if len(self.domains) >= self.max_domains:
                tally.dropped("domain_flood")
                return None
            found = self.domains[key] = Domain()
        return found

    def learn(self, key: DomainKey, template_id: int, template: Template, tally: Tally) -> bool:
        domain = self.domain(key, tally)
        if domain is None:
            return False
        if template_id not in domain.templates and len(domain.templates) >= self.max_templates:
            tally.dropped("template_flood")
            return False
        domain.templates[template_id] = template
        tally["templates"] += 1
        return True

    def withdraw(self, key: DomainKey, template_id: int) -> None:
        if key in self.domains:
            self.domains[key].templates.pop(template_id, None)

    def find(self, key: DomainKey, template_id: int) -> Template | None:
        domain = self.domains.get(key)
        return domain.templates.get(template_id) if domain else None

    def hold(self, now: float, key: DomainKey, template_id: int, body: bytes, tally: Tally) -> None:
        if len(self.pending) >= self.max_pending:
            tally.dropped("pending_full")
            return
        self.pending.append((now, key, template_id, body))
        tally["held"] += 1

    def take_pending(self, key: DomainKey, template_id: int) -> list[bytes]:
        taken = [item[3] for item in self.pending if item[1] == key and item[2] == template_id]
        if taken:
            self.pending = deque(item for item in self.pending if not (item[1] == key and item[2] == template_id))
        return taken

    def expire(self, now: float, tally: Tally) -> None:
        while self.pending and now - self.pending[0][0] > self.pending_ttl_s:
            self.pending.popleft()
            tally.dropped("expired_before_template")
        for domain in self.domains.values():
            stale = [tid for tid, t in domain.templates.items() if now - t.seen > self.template_ttl_s]
            for template_id in stale:
                del domain.templates[template_id]
                tally["templates_expired"] += 1
