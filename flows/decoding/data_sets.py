"""Data sets of NetFlow v9 and IPFIX: records laid out by a template, decoded in bulk.

A fixed-length template's set is one `np.frombuffer` with the template's dtype; a set
with variable-length fields (IPFIX) is walked record by record into the same columns.
Options records carry the exporter's sampling rate; flow records are scaled by it (or by
their own sampling field). A rate of 0 is counted and dropped.
"""

import numpy as np

from flows.decoding import elements as e
from flows.decoding.records import RECORD, Malformed, Tally, v4_mapped, v6
from flows.decoding.templates import Domain, Template

PLAIN_FIELDS = ((e.SPORT, "sport"), (e.DPORT, "dport"), (e.PROTO, "proto"), (e.IN_IF, "in_if"), (e.OUT_IF, "out_if"))
Columns = dict[int, np.ndarray]  # element -> one value per record (addresses: (n, len) uint8)


def columns(body: bytes, template: Template) -> Columns:
    if template.dtype is not None:
        if template.dtype.itemsize == 0:
            raise Malformed("a template whose records have no length")
        count = len(body) // template.dtype.itemsize  # what is left over is padding
        raw = np.frombuffer(body, template.dtype, count=count)
        return {int(name[1:]): _column(raw[name]) for name in template.dtype.names}
    return _walk_variable(body, template)


def _column(values: np.ndarray) -> np.ndarray:
    return values  # a view: integers are converted once, where they are assigned (_integer handles odd lengths)


def _integer(values: np.ndarray) -> np.ndarray:
    if values.ndim == 1:
        return values
    out = np.zeros(len(values), dtype=np.uint64)
    for column in range(min(values.shape[1], 8)):  # big-endian bytes, reduced-size encoding
        out = (out << np.uint64(8)) | values[:, -min(values.shape[1], 8) + column].astype(np.uint64)
    return out


def _walk_variable(body: bytes, template: Template) -> Columns:
    values: dict[int, list] = {element: [] for element, _ in template.reads}
    offset = 0
    while offset < len(body):
        row, start = {}, offset
        for element, length in template.fields:
            if length == e.VARIABLE:
                length, offset = _variable_length(body, offset)
            if offset + length > len(body):
                if start > 0 and all(b == 0 for b in body[start:]):
                    return _as_columns(values, template)  # padding after the last record
                raise Malformed("a record runs past its set")
            if element in values and element not in row:
                row[element] = body[offset : offset + length]
            offset += length
        if offset == start:
            raise Malformed("a record of no length")
        for element in values:
            values[element].append(row.get(element, b""))
    return _as_columns(values, template)


def _variable_length(body: bytes, offset: int) -> tuple[int, int]:
    if offset >= len(body):
        raise Malformed("a variable-length field past its set")
    length, offset = body[offset], offset + 1
    if length == 255:
        if offset + 2 > len(body):
            raise Malformed("a long variable-length field past its set")
        length, offset = int.from_bytes(body[offset : offset + 2], "big"), offset + 2
    return length, offset


def _as_columns(values: dict[int, list], template: Template) -> Columns:
    out: Columns = {}
    for element, items in values.items():
        if element in e.ADDRESSES:
            width = e.ADDRESSES[element]
            padded = b"".join(item[:width].ljust(width, b"\0") for item in items)
            out[element] = np.frombuffer(padded, np.uint8).reshape(-1, width)
        else:
            out[element] = np.array([int.from_bytes(item[-8:], "big") for item in items], dtype=np.uint64)
    return out


def flow_records(cols: Columns, domain: Domain, tally: Tally) -> np.ndarray:
    count = len(next(iter(cols.values()))) if cols else 0
    out = np.zeros(count, dtype=RECORD)
    if count == 0:
        return out
    for src, dst in ((e.SRC4, e.DST4), (e.SRC6, e.DST6)):
        _addresses(out, cols, src, dst)
    for element, name in PLAIN_FIELDS:
        if element in cols:
            out[name] = _integer(cols[element])
    rate = _rates(cols, domain.sampling_rate)
    for delta, total, name in ((e.BYTES, e.BYTES_TOTAL, "bytes"), (e.PACKETS, e.PACKETS_TOTAL, "packets")):
        source = delta if delta in cols else total
        if source in cols:
            out[name] = _integer(cols[source]).astype(np.uint64) * rate
    if np.ndim(rate) == 0:
        if rate == 0:
            tally.dropped("sampling_rate_zero", len(out))
            out = out[:0]
    elif not (kept := rate > 0).all():
        tally.dropped("sampling_rate_zero", int((~kept).sum()))
        out = out[kept]
    tally["records"] += len(out)
    return out


def _addresses(out: np.ndarray, cols: Columns, src: int, dst: int) -> None:
    convert = v4_mapped if src == e.SRC4 else v6
    for element, name in ((src, "src"), (dst, "dst")):
        values = cols.get(element)
        if values is not None and values.ndim == 2 and values.shape[1] == e.ADDRESSES[element]:
            out[name] = convert(values)


def _rates(cols: Columns, default: int) -> np.ndarray | np.uint64:
    """Each record's own sampling rate when the template has one, else the domain's (one number)."""
    for element in e.SAMPLING_RATES:
        if element in cols:
            return _integer(cols[element]).astype(np.uint64)
    return np.uint64(default)


def learn_sampling_rate(cols: Columns, domain: Domain, tally: Tally) -> None:
    """An options record naming a sampling rate: the domain's records are scaled by it from now on."""
    for element in e.SAMPLING_RATES:
        values = cols.get(element)
        if values is not None and len(values):
            rate = int(_integer(values)[-1])
            if rate == 0:
                tally.dropped("sampling_rate_zero")
                return
            domain.sampling_rate = rate
            tally["sampling_rates"] += 1
            return
