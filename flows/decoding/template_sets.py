"""Template and options template sets of NetFlow v9 and IPFIX: (template id, fields) from their bytes."""

import struct
from collections.abc import Iterator

from flows.decoding.records import Malformed
from flows.decoding.templates import Field

MAX_FIELDS = 512  # more than any real template has; a larger count is an attack or garbage


def v9_templates(body: bytes) -> Iterator[tuple[int, list[Field]]]:
    offset = 0
    while len(body) - offset >= 4:
        template_id, count = struct.unpack_from(">HH", body, offset)
        offset += 4
        if template_id == 0 and count == 0:
            return  # padding
        fields = _pairs(body, offset, count)
        offset += 4 * count
        yield template_id, fields


def v9_options_templates(body: bytes) -> Iterator[tuple[int, list[Field]]]:
    offset = 0
    while len(body) - offset >= 6:
        template_id, scope_bytes, option_bytes = struct.unpack_from(">HHH", body, offset)
        offset += 6
        if template_id == 0:
            return  # padding
        if scope_bytes % 4 or option_bytes % 4:
            raise Malformed("options template lengths are not whole fields")
        # Scope fields of v9 are numbered apart from the elements (1: system, 2: interface...): skipped.
        scope = [(None, length) for _, length in _pairs(body, offset, scope_bytes // 4)]
        options = _pairs(body, offset + scope_bytes, option_bytes // 4)
        offset += scope_bytes + option_bytes
        yield template_id, scope + options


def ipfix_templates(body: bytes, options: bool) -> Iterator[tuple[int, list[Field]]]:
    header = ">HHH" if options else ">HH"
    size = struct.calcsize(header)
    offset = 0
    while len(body) - offset >= size:
        template_id, count, *_ = struct.unpack_from(header, body, offset)
        if template_id < 256:
            return  # padding (ids below 256 are not templates)
        offset += size if count else 4  # a withdrawal has no scope count
        fields, offset = _ipfix_fields(body, offset, count)
        yield template_id, fields


def _pairs(body: bytes, offset: int, count: int) -> list[Field]:
    if count > MAX_FIELDS or offset + 4 * count > len(body):
        raise Malformed(f"a template of {count} fields does not fit its set")
    return [struct.unpack_from(">HH", body, offset + 4 * i) for i in range(count)]


def _ipfix_fields(body: bytes, offset: int, count: int) -> tuple[list[Field], int]:
    if count > MAX_FIELDS:
        raise Malformed(f"a template of {count} fields")
    fields: list[Field] = []
    for _ in range(count):
        if offset + 4 > len(body):
            raise Malformed("a template field past its set")
        element, length = struct.unpack_from(">HH", body, offset)
        offset += 4
        if element & 0x8000:  # enterprise-specific: its number follows; skipped by length
            if offset + 4 > len(body):
                raise Malformed("an enterprise number past its set")
            offset += 4
            fields.append((None, length))
        else:
            fields.append((element, length))
    return fields, offset
