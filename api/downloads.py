"""`?format=csv` and `?format=jsonl` on the growing listings: every matching row, oldest first,
streamed (core.web.exports)."""

import json

from rest_framework import renderers

from core.web.exports import csv_lines, csv_response, jsonl_response


class CsvRenderer(renderers.BaseRenderer):
    """Lets DRF accept `?format=csv`. Listings answer it with a stream of their own;
    only what they cannot stream (an error) is rendered here, as CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> str:
        if isinstance(data, dict):
            rows = [(field, " ".join(map(str, v)) if isinstance(v, list) else v) for field, v in data.items()]
            return "".join(csv_lines(["field", "error"], rows))
        return "".join(csv_lines(["value"], [[data]]))


def iso(moment) -> str:
    return moment.isoformat() if moment is not None else ""


class JsonLinesRenderer(renderers.BaseRenderer):
    """Lets DRF accept `?format=jsonl`; as with CSV, only an error is rendered here."""

    media_type = "application/jsonl"
    format = "jsonl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> str:
        return json.dumps(data, default=str) + "\n"


# format -> how its download is streamed
DOWNLOADS = {"csv": csv_response, "jsonl": jsonl_response}
DOWNLOAD_RENDERERS = [CsvRenderer, JsonLinesRenderer]
