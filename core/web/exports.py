"""Streamed downloads (CSV, JSON Lines): rows are written as they are read, so a year of data never sits in memory.

Under ASGI Django would read a plain iterator to the end before sending anything; the
rows are handed over here in batches through the one sync thread instead (where the
database cursor lives), as an asynchronous iterator.
"""

import csv
import itertools
import json
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse

ROWS_PER_BATCH = 2000


class _Line:
    """A file-like object whose write() returns what it was given: csv.writer then yields lines."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


async def _batched(lines: Iterator[str]) -> AsyncIterator[str]:
    def next_batch() -> str:
        return "".join(itertools.islice(lines, ROWS_PER_BATCH))

    while chunk := await sync_to_async(next_batch)():
        yield chunk


def json_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """One JSON object per row, keyed by `header`."""
    for row in rows:
        yield json.dumps(dict(zip(header, row, strict=True)), default=str) + "\n"


def _download(lines: Iterator[str], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_batched(lines), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    return _download(csv_lines(header, rows), "text/csv; charset=utf-8", filename)


def jsonl_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    return _download(json_lines(header, rows), "application/jsonl; charset=utf-8", filename)
