"""Bulk import of hosts and their checks from CSV, with an error per bad row.

Columns (a header row is required; only name and address are mandatory):

    name,address,tags,enabled,notes,interval,checks
    web-1,web-1.lan,prod web,yes,,30,ping tcp:22 http:https://web-1.lan/health
    ns-1,127.0.0.53,dns,,,60,dns:web-1.lan@127.0.0.53
    core-sw,core-sw.lan,network,,,60,ping snmp:monitoring

- tags: separated by spaces, "|" or ";".
- enabled: yes/no, true/false, 1/0 (default yes).
- interval: seconds between runs of the row's checks (default 60).
- checks: space-separated, each as its kind writes it (monitor.checks): `ping`,
  `tcp:<port>`, `http:<url>`, `dns[:<name>][@<server>]`, `snmp:<community>[@<port>]`
  (SNMPv2c; v3 in admin or the API).

A row whose name already exists updates that host and adds the checks it does
not have yet. Each row is saved on its own: a bad row is reported and skipped,
the good ones are kept.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from monitor import checks
from monitor.models import Check, Host, Tag

COLUMNS = {"name", "address", "tags", "enabled", "notes", "interval", "checks"}
MAX_ROWS = 20_000
TRUE, FALSE = {"", "1", "yes", "y", "true", "on"}, {"0", "no", "n", "false", "off"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    checks_added: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)

    def summary(self) -> str:
        return (
            f"{self.created} hosts created, {self.updated} updated, {self.checks_added} checks added, "
            f"{len(self.errors)} rows rejected"
        )


class RowError(Exception):
    pass


def import_hosts(text: str, dry_run: bool = False) -> ImportReport:
    report = ImportReport()
    # newline="" as the csv module asks: a \r inside a quoted field is then text, not an error.
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        return _import_rows(reader, report, dry_run)
    except csv.Error as exc:  # e.g. an unterminated quote: rows before it are kept
        report.errors.append((reader.line_num, f"not readable as CSV: {exc}"))
        return report


def _import_rows(reader: csv.DictReader, report: ImportReport, dry_run: bool) -> ImportReport:
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not {"name", "address"} <= header:
        report.errors.append((1, "the header row must name at least the columns name and address"))
        return report
    if unknown := header - COLUMNS:
        report.errors.append((1, f"unknown columns: {', '.join(sorted(unknown))}; known: {', '.join(sorted(COLUMNS))}"))
        return report
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            report.errors.append((number, f"only {MAX_ROWS} rows are imported at a time"))
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()):
            continue
        try:
            with transaction.atomic():
                _import_row(row, report)
                if dry_run:
                    transaction.set_rollback(True)
        except RowError as exc:
            report.errors.append((number, str(exc)))
        except ValidationError as exc:
            report.errors.append((number, _describe(exc)))
    return report


def _import_row(row: dict, report: ImportReport) -> None:
    host = Host.objects.filter(name=row["name"]).first() or Host(name=row["name"])
    is_new = host.pk is None
    host.address = row["address"]
    host.notes = row.get("notes", host.notes)
    host.enabled = _boolean(row.get("enabled", ""))
    host.full_clean()
    interval = _interval(row.get("interval", ""))
    checks = [_parse_check(token, interval) for token in row.get("checks", "").split()]
    host.save()
    tags = [token for token in row.get("tags", "").replace("|", " ").replace(";", " ").split() if token]
    for name in tags:
        if slugify(name) != name.lower():
            raise RowError(f"tag {name!r}: use letters, digits, hyphens and underscores")
    host.tags.add(*(Tag.objects.get_or_create(name=name.lower())[0] for name in tags))
    existing = {check.describe() for check in host.checks.all()}
    for check in checks:
        check.host = host
        check.full_clean(exclude=["host"])
        if check.describe() not in existing:
            check.save()
            existing.add(check.describe())
            report.checks_added += 1
    if is_new:
        report.created += 1
    else:
        report.updated += 1


def _parse_check(token: str, interval: int) -> Check:
    name, _, argument = token.partition(":")
    kind = checks.kinds().get(name.lower())
    if kind is None:
        syntaxes = [k.csv_syntax for k in checks.kinds().values()]
        raise RowError(f"{token!r} is not a check; use {', '.join(syntaxes[:-1])} or {syntaxes[-1]}")
    check = Check(kind=kind.name, interval_s=interval, timeout_s=min(5.0, interval / 2))
    try:
        kind.from_csv(argument, check)
    except ValueError as exc:
        raise RowError(f"{token!r}: {exc}") from None
    return check


def _boolean(text: str) -> bool:
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    raise RowError(f"enabled: {text!r} is not yes or no")


def _interval(text: str) -> int:
    if not text:
        return 60
    if not text.isdigit():
        raise RowError(f"interval: {text!r} is not a whole number of seconds")
    return int(text)


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)
