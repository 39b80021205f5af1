"""README.md stays a short introduction whose links all lead somewhere.

The docs site itself is built with `mkdocs build --strict` by scripts/test.sh and
`make docs`, which fails on a broken link or a missing page.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_it_is_at_most_200_lines():
    lines = README.read_text().splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move the detail into docs/"


def test_it_gives_both_commands():
    text = README.read_text()
    assert "make run" in text
    assert "make test" in text


def test_every_relative_link_leads_to_a_file():
    targets = [t for t in LINK.findall(README.read_text()) if "://" not in t and not t.startswith("#")]
    assert targets, "README.md links into the docs"
    missing = [t for t in targets if not (ROOT / t.split("#")[0]).exists()]
    assert not missing, f"README.md links to files that do not exist: {missing}"


def test_it_names_only_admin_addresses_that_exist():
    from django.contrib import admin

    registered = {f"/admin/{m._meta.app_label}/{m._meta.model_name}/" for m in admin.site._registry}
    named = set(re.findall(r"`(/admin/[a-z_]+/[a-z_]+/)", README.read_text()))
    assert named, "README.md names the admin pages of its quick start"
    assert named <= registered, f"not admin pages: {sorted(named - registered)}"
