"""MkDocs hook: reference/rest-api.md, generated from the OpenAPI schema drf-spectacular builds.

The schema is built in-process from the project's own view sets and serializers, the same
one `/api/schema/` serves, so the page lists exactly the endpoints, parameters and fields
the code has. The prose before the tables (tokens, roles, errors) is rest_api_intro.md.
"""

import sys
from pathlib import Path

from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django_setup import setup, table

PAGE = "reference/rest-api.md"
INTRO = Path(__file__).resolve().parent / "rest_api_intro.md"
METHODS = ("get", "post", "put", "patch", "delete")


def build_schema() -> dict:
    setup()
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    """Follow `$ref`s (and a lone allOf wrapper) to the component they name."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif len(node.get("allOf", ())) == 1:
            node = node["allOf"][0]
        else:
            return node


def _type(schema: dict, node: dict) -> str:
    resolved = _resolve(schema, node)
    if "$ref" in node and "enum" not in resolved:
        return node["$ref"].rsplit("/", 1)[-1]
    node = resolved
    if node.get("type") == "array":
        return f"array of {_type(schema, node.get('items', {}))}"
    if "enum" in node:
        return " / ".join(f"`{value}`" for value in node["enum"] if value not in ("", None))
    kind = node.get("type", "object" if "properties" in node else "any")
    return f"{kind} ({node['format']})" if "format" in node else kind


def _access(prop: dict) -> str:
    return "read-only" if prop.get("readOnly") else "write-only" if prop.get("writeOnly") else ""


def _fields(schema: dict, body: dict, writable_only: bool = False) -> str:
    node = _resolve(schema, body)
    if node.get("type") == "array":
        node = _resolve(schema, node.get("items", {}))
    if "properties" in node and "results" in node["properties"]:  # a paged list: describe its rows
        node = _resolve(schema, node["properties"]["results"].get("items", {}))
    properties = node.get("properties")
    if not properties:
        return f"A JSON {_type(schema, body)}."
    rows = [
        [f"`{name}`", _type(schema, prop), _access(prop), prop.get("description", "")]
        for name, prop in properties.items()
        if not (writable_only and prop.get("readOnly"))
    ]
    return table(["field", "type", "access", "meaning"], rows)


def _parameters(operation: dict) -> str:
    rows = [
        [
            f"`{p['name']}`",
            p["in"],
            "yes" if p.get("required") else "",
            p.get("schema", {}).get("type", ""),
            p.get("description", ""),
        ]
        for p in operation.get("parameters", ())
    ]
    return table(["parameter", "in", "required", "type", "meaning"], rows) if rows else ""


def _json_schema(content: dict) -> dict | None:
    media = content.get("application/json") or next(iter(content.values()), None)
    return media.get("schema") if media else None


def _request(schema: dict, operation: dict) -> str:
    body = _json_schema(operation.get("requestBody", {}).get("content", {}))
    return "Request body:\n\n" + _fields(schema, body, writable_only=True) if body else ""


def _response(schema: dict, operation: dict) -> str:
    for status, response in operation.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        body = _json_schema(response.get("content", {}))
        if body:
            return f"Response {status}:\n\n" + _fields(schema, body)
        return f"Response {status}, no body."
    return ""


def _operation(schema: dict, path: str, method: str, operation: dict) -> str:
    parts = [f"### `{method.upper()} {path}`"]
    if operation.get("description"):
        parts.append(operation["description"].strip())
    parts += [_parameters(operation), _request(schema, operation), _response(schema, operation)]
    return "\n\n".join(part for part in parts if part)


def render(schema: dict) -> str:
    parts = [INTRO.read_text().strip()]
    for path, item in schema["paths"].items():
        parts.append(f"## `{path}`")
        parts += [_operation(schema, path, m, item[m]) for m in METHODS if m in item]
    return "\n\n".join(parts) + "\n"


def on_files(files, config):
    files.append(File.generated(config, PAGE, content=render(build_schema())))
    return files
