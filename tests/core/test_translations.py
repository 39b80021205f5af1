"""The Chinese catalogues are complete and current: every string the code marks is translated,
none is left fuzzy, placeholders match, and the compiled .mo files say what the .po files say.
(The browser tests in tests/accounts/test_browser_languages.py catch text never marked.)"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
DOMAINS = ("django", "djangojs")
IGNORED = [".venv", "node_modules", ".run", "tests", "bench", "netmon_agent", "static/vendor", "docs", "deploy"]


def catalogue(domain: str, root: Path = LOCALE) -> polib.POFile:
    return polib.pofile(str(root / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"))


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]|%%", text))


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_is_translated_with_the_same_placeholders(domain):
    untranslated, mismatched = [], []
    for entry in catalogue(domain):
        if entry.obsolete:
            continue
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if "fuzzy" in entry.flags or not all(translations):
            untranslated.append(entry.msgid)
        elif any(placeholders(text) != placeholders(entry.msgid) for text in translations):
            mismatched.append(entry.msgid)
    assert untranslated == []
    assert mismatched == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_matches_its_source(domain):
    source = catalogue(domain)
    compiled = polib.mofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / f"{domain}.mo"))
    translated = lambda entries: {  # noqa: E731
        (e.msgid, e.msgstr or tuple(sorted(e.msgstr_plural.items()))) for e in entries if e.msgid and not e.obsolete
    }
    assert translated(compiled) == translated(source), "run: python manage.py compilemessages --ignore=.venv"


def test_the_catalogues_hold_every_string_the_code_marks(tmp_path, monkeypatch):
    """makemessages over a copy of the sources: a string marked in code but missing from the .po
    (or kept in the .po but gone from the code) fails here."""
    assert shutil.which("xgettext"), "makemessages needs GNU gettext (scripts/test.sh installs it)"
    copy = tmp_path / "src"
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(".*", "node_modules", "__pycache__"))
    monkeypatch.chdir(copy)  # makemessages writes beside the sources it reads
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        for domain in DOMAINS:
            call_command("makemessages", locale=["zh_Hans"], domain=domain, ignore_patterns=IGNORED, verbosity=0)
    for domain in DOMAINS:
        marked = {e.msgid for e in catalogue(domain, copy / "locale") if not e.obsolete}
        kept = {e.msgid for e in catalogue(domain) if not e.obsolete}
        assert marked - kept == set(), f"new strings in {domain}: run makemessages and translate them"
        assert kept - marked == set(), f"strings no longer in the code in {domain}: run makemessages"
