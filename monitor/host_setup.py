"""A host and its checks as the product's "Add host" dialog sends them: read, validated, saved.

The dialog sends one JSON object: the host (name, address, tags, enabled, notes) and its
checks, each with its kind, schedule and the kind's own settings. Every problem comes
back keyed where the dialog shows it: `{"host": {field: message}, "checks": {index:
{field: message}}}`. The dialog draws each kind's fields from `kind_forms()`, the kinds'
own `Setting` declarations, so a new kind needs nothing here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.security.redaction import redact_url, unredact_url
from monitor import checks
from monitor.checks.settings import Setting
from monitor.csv_import import RowError, parse_check_token
from monitor.models import Check, Host, Tag
from monitor.results import derive_hosts

SCHEDULE_FIELDS = ("interval_s", "timeout_s", "degraded_latency_ms", "degraded_loss_pct")
MAX_CHECKS = 50


class SetupError(Exception):
    """The submission does not fit; `errors` says where, as the dialog shows it."""

    def __init__(self, errors: dict) -> None:
        super().__init__(str(errors))
        self.errors = errors


@dataclass
class HostDraft:
    """A validated, unsaved host and the checks it will have."""

    host: Host
    tags: list[str]
    checks: list[Check] = field(default_factory=list)


def setting_form(setting: Setting) -> dict:
    """One setting as the dialog draws its field."""
    kind = "choice" if setting.choices else {int: "int", float: "float", bool: "bool"}.get(setting.type, "text")
    return {
        "name": setting.name,
        "label": setting.verbose_name,
        "input": "secret" if setting.secret else kind,
        "default": None if setting.secret else setting.default,
        "required": setting.required,
        "help": setting.help_text,
        "min": setting.minimum,
        "max": setting.maximum,
        "choices": [list(pair) for pair in setting.choices],
    }


def kind_forms() -> list[dict]:
    """Every kind with only its own settings, in KIND_MODULES order."""
    return [
        {"name": k.name, "label": k.label, "syntax": k.csv_syntax, "loss": k.measures_loss,
         "settings": [setting_form(s) for s in k.settings]}
        for k in checks.kinds().values()
    ]  # fmt: skip


def quick_add(line: str, interval_s: int = 60) -> list[dict]:
    """The checks a quick-add line writes (`ping tcp:443 http:https://…`), as the dialog edits them.

    Raises SetupError({"quick": message}) naming the token that does not fit."""
    parsed = []
    for token in line.split()[:MAX_CHECKS]:
        try:
            parsed.append(check_fields(parse_check_token(token, interval_s)))
        except RowError as exc:
            raise SetupError({"quick": str(exc)}) from None
    return parsed


def check_fields(check: Check) -> dict:
    """A check as the dialog edits it: secrets never sent back, URLs with their passwords redacted."""
    settings = {s.name: getattr(check, s.name) for s in check.kind_spec.settings if not s.secret}
    if settings.get("url"):
        settings["url"] = redact_url(settings["url"])
    secrets_set = [s.name for s in check.kind_spec.settings if s.secret and getattr(check, s.name)]
    fields = {name: getattr(check, name) for name in SCHEDULE_FIELDS}
    return {"id": check.pk, "kind": check.kind, "enabled": check.enabled, "settings": settings,
            "secrets_set": secrets_set, **fields}  # fmt: skip


def host_fields(host: Host) -> dict:
    """A saved host as the dialog edits it."""
    return {
        "id": host.pk,
        "name": host.name,
        "address": host.address,
        "enabled": host.enabled,
        "notes": host.notes,
        "tags": [tag.name for tag in host.tags.all()],
        "checks": [check_fields(check) for check in host.checks.all()],
    }


def read_draft(data: Mapping, existing: Host | None = None, validate_name: bool = True) -> HostDraft:
    """The host and checks `data` describes, validated; SetupError with every problem otherwise.

    With `existing`, the draft edits that host: checks sent with their id are changed, and a
    secret or redacted URL sent back empty or unchanged keeps what is stored. A trial run
    (`validate_name=False`) needs no name: checks run against the address."""
    if not isinstance(data, Mapping):
        raise SetupError({"host": {"__all__": "Send the host as a JSON object."}})
    errors: dict = {}
    host = existing or Host()
    host.name, host.address = _text(data, "name"), _text(data, "address")
    host.notes, host.enabled = _text(data, "notes"), data.get("enabled", True) is not False
    try:
        tags = read_tags(data.get("tags", []))
    except SetupError as exc:
        tags, errors["host"] = [], dict(exc.errors)
    try:
        host.full_clean(exclude=["tags"] if validate_name else ["tags", "name"])
    except ValidationError as exc:
        errors.setdefault("host", {}).update({k: " ".join(v) for k, v in exc.message_dict.items()})
    stored = {check.pk: check for check in existing.checks.all()} if existing else {}
    draft = HostDraft(host, tags)
    sent = data.get("checks") or []
    if not isinstance(sent, list) or len(sent) > MAX_CHECKS:
        sent, errors["host"] = [], {**errors.get("host", {}), "checks": f"Send at most {MAX_CHECKS} checks."}
    for index, fields in enumerate(sent):
        check, problems = _read_check(fields, host, stored)
        draft.checks.append(check)
        if problems:
            errors.setdefault("checks", {})[index] = problems
    if errors:
        raise SetupError(errors)
    return draft


def _text(data: Mapping, name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def read_tags(sent) -> list[str]:
    """Tag names from text ("a, b c") or a list; SetupError({"tags": ...}) for one that is not a slug."""
    if isinstance(sent, str):
        names = sent.replace(",", " ").split()
    else:
        names = [t.strip() for t in sent if isinstance(t, str) and t.strip()] if isinstance(sent, list) else []
    for name in names:
        if slugify(name) != name.lower() or len(name) > 50:
            raise SetupError({"tags": f"Tag {name!r}: use letters, digits, hyphens and underscores."})
    return sorted({name.lower() for name in names})


def _read_check(fields, host: Host, stored: dict[int, Check]) -> tuple[Check, dict[str, str]]:
    if not isinstance(fields, Mapping) or fields.get("kind") not in checks.kinds():
        return Check(host=host), {"kind": "Choose a kind of check."}
    check = stored.get(fields.get("id"), Check(host=host))
    check.kind, check.enabled = fields["kind"], fields.get("enabled", True) is not False
    problems = {}
    for name in SCHEDULE_FIELDS:
        if name in fields:
            problems.update(_set_number(check, name, fields[name]))
    settings = fields.get("settings") if isinstance(fields.get("settings"), Mapping) else {}
    for setting in check.kind_spec.settings:
        value = settings.get(setting.name, setting.default)
        if setting.secret and not value and check.pk:
            continue  # left empty: the stored secret is kept
        if setting.name == "url" and check.pk:
            value = unredact_url(value or "", check.url)
        setattr(check, setting.name, _typed(setting, value))
    try:
        check.full_clean(exclude=["host"])
    except ValidationError as exc:
        problems.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    return check, problems


def _set_number(check: Check, name: str, value) -> dict[str, str]:
    if value in (None, ""):
        value = None if name.startswith("degraded") else Check._meta.get_field(name).default
    elif not isinstance(value, int | float) or isinstance(value, bool):
        return {name: "Give a number."}
    setattr(check, name, value)
    return {}


def _typed(setting: Setting, value):
    """A number typed into a text box arrives as text: read it as the setting's type where it fits."""
    if setting.type in (int, float) and isinstance(value, str):
        try:
            return setting.type(value) if value.strip() else None
        except ValueError:
            return value  # the declaration's check says what is wrong
    if setting.type is str and value is None:
        return ""
    return value


def save_draft(draft: HostDraft) -> Host:
    """Save the host, its tags and exactly the draft's checks (others of the host are deleted);
    every saved check runs at once."""
    with transaction.atomic():
        host = draft.host
        host.save()
        Tag.objects.bulk_create([Tag(name=name) for name in draft.tags], ignore_conflicts=True)
        host.tags.set(Tag.objects.filter(name__in=draft.tags))
        kept = []
        for check in draft.checks:
            check.host, check.next_run_at = host, timezone.now()
            check.save()
            kept.append(check.pk)
        host.checks.exclude(pk__in=kept).delete()
        transaction.on_commit(lambda: derive_hosts({host.pk}))
    return host


def clone(host: Host) -> Host:
    """A paused copy of `host` with its tags and checks, named "<name> (copy)", "<name> (copy 2)", ..."""
    name, number = f"{host.name} (copy)", 1
    while Host.objects.filter(name=name).exists():
        number += 1
        name = f"{host.name} (copy {number})"
    with transaction.atomic():
        copy = Host.objects.create(name=name, address=host.address, notes=host.notes, enabled=False)
        copy.tags.set(host.tags.all())
        for check in host.checks.all():
            check.pk, check.id, check.host = None, None, copy
            check.status, check.last_checked_at, check.last_latency_ms, check.last_error = "pending", None, None, ""
            check.save()
    return copy
