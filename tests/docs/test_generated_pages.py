"""The pages the docs hooks generate hold everything their sources hold."""

import importlib.util
import sys
from pathlib import Path

HOOKS = Path(__file__).resolve().parents[2] / "docs" / "hooks"


def hook(name: str):
    sys.path.insert(0, str(HOOKS))  # the hooks import their shared helper as mkdocs loads them
    try:
        spec = importlib.util.spec_from_file_location(f"docs_hook_{name}", HOOKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(HOOKS))


def test_the_metrics_page_names_every_metric_alert_metric_and_family():
    from core.contracts import metrics

    page = hook("metrics").render()
    for name in [*metrics.METRICS, *(m.name for m in metrics.ALERT_METRICS)]:
        assert f"`{name}`" in page, name
    for family in metrics.FAMILIES:
        assert f"netmon_{family}" in page, family


def test_the_rest_api_page_has_every_path_and_method_of_the_schema():
    rest_api = hook("rest_api")
    schema = rest_api.build_schema()
    page = rest_api.render(schema)
    assert schema["paths"], "the schema lists the API"
    for path, item in schema["paths"].items():
        for method in rest_api.METHODS:
            if method in item:
                assert f"`{method.upper()} {path}`" in page, (method, path)


def test_the_rest_api_page_lists_a_serializer_field_and_marks_secrets_write_only():
    page = hook("rest_api").render(hook("rest_api").build_schema())
    assert "| `interval_s` | integer |" in page
    assert "| `auth_password` | string | write-only |" in page
