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
not have yet. Every row is validated first and each bad one reported with its line;
the good ones are then written in batches of BATCH rows, one short transaction each,
so that a large file (20,000 rows) neither holds the database for others nor costs a
query per row.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from monitor import checks
from monitor.models import Check, Host, Tag

COLUMNS = {"name", "address", "tags", "enabled", "notes", "interval", "checks"}
MAX_ROWS = 20_000
BATCH = 500  # rows written per transaction
TRUE, FALSE = {"", "1", "yes", "y", "true", "on"}, {"0", "no", "n", "false", "off"}

Progress = Callable[[int, int], None]  # (rows written, rows to write)


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

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "checks_added": self.checks_added,
                "errors": self.errors}  # fmt: skip

    @classmethod
    def from_dict(cls, saved: dict) -> "ImportReport":
        return cls(saved["created"], saved["updated"], saved["checks_added"], [tuple(e) for e in saved["errors"]])


class RowError(Exception):
    pass


@dataclass
class HostRow:
    """One valid row: the host as the file gives it and the checks it asks for."""

    line: int
    host: Host
    has_notes: bool  # the file has a notes column: an existing host's notes are replaced
    tags: list[str]
    checks: list[Check]


def import_hosts(text: str, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    report = ImportReport()
    rows = read_rows(text, report)
    if progress:
        progress(0, len(rows))
    for done, batch in enumerate(_batches(rows), start=1):
        try:
            with transaction.atomic():
                _write_batch(batch, report, dry_run)
        except IntegrityError as exc:  # e.g. the same name added by someone else meanwhile
            report.errors += [(row.line, f"not saved, try again: {exc}") for row in batch]
        if progress:
            progress(min(done * BATCH, len(rows)), len(rows))
    report.errors.sort()
    return report


def read_rows(text: str, report: ImportReport) -> list[HostRow]:
    """Every valid row, rows with the same name merged; each bad row's problem into `report`."""
    # newline="" as the csv module asks: a \r inside a quoted field is then text, not an error.
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows: dict[str, HostRow] = {}
    try:
        if _header_problem(reader, report):
            return []
        for number, row in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                report.errors.append((number, f"only {MAX_ROWS} rows are imported at a time"))
                break
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
            if any(row.values()):
                _read_row(number, row, rows, report)
    except csv.Error as exc:  # e.g. an unterminated quote: rows before it are kept
        report.errors.append((reader.line_num, f"not readable as CSV: {exc}"))
    return list(rows.values())


def _header_problem(reader: csv.DictReader, report: ImportReport) -> bool:
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not {"name", "address"} <= header:
        report.errors.append((1, "the header row must name at least the columns name and address"))
    elif unknown := header - COLUMNS:
        report.errors.append((1, f"unknown columns: {', '.join(sorted(unknown))}; known: {', '.join(sorted(COLUMNS))}"))
    return bool(report.errors)


def _read_row(number: int, row: dict, rows: dict[str, HostRow], report: ImportReport) -> None:
    try:
        parsed = _parse_row(number, row)
    except RowError as exc:
        report.errors.append((number, str(exc)))
    except ValidationError as exc:
        report.errors.append((number, _describe(exc)))
    else:
        if (earlier := rows.get(parsed.host.name)) is not None:  # a later row for the same host adds to it
            parsed.tags, parsed.checks = earlier.tags + parsed.tags, earlier.checks + parsed.checks
        rows[parsed.host.name] = parsed


def _parse_row(number: int, row: dict) -> HostRow:
    host = Host(name=row["name"], address=row["address"], notes=row.get("notes", ""))
    host.enabled = _boolean(row.get("enabled", ""))
    host.full_clean(validate_unique=False)  # names are looked up in bulk when written
    interval = _interval(row.get("interval", ""))
    tags = [token for token in row.get("tags", "").replace("|", " ").replace(";", " ").split() if token]
    for name in tags:
        if slugify(name) != name.lower():
            raise RowError(f"tag {name!r}: use letters, digits, hyphens and underscores")
    parsed = [parse_check_token(token, interval) for token in row.get("checks", "").split()]
    for check in parsed:
        check.host = host
        check.full_clean(exclude=["host"])
    return HostRow(number, host, "notes" in row, [name.lower() for name in tags], parsed)


def parse_check_token(token: str, interval: int) -> Check:
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
    check.settings = kind.normalized(check.settings)  # bulk_create does not call save()
    return check


def _batches(rows: list[HostRow]) -> Iterator[list[HostRow]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _write_batch(batch: list[HostRow], report: ImportReport, dry_run: bool) -> None:
    existing = {host.name: host for host in Host.objects.filter(name__in=[row.host.name for row in batch])}
    report.updated += len(existing)
    report.created += len(batch) - len(existing)
    hosts = _save_hosts(batch, existing, dry_run)
    new_checks = _new_checks(batch, hosts, existing.values())
    report.checks_added += len(new_checks)
    if not dry_run:
        _add_tags(batch, hosts)
        Check.objects.bulk_create(new_checks)


def _save_hosts(batch: list[HostRow], existing: dict[str, Host], dry_run: bool) -> dict[str, Host]:
    """name -> saved host: new ones created in one query, changed ones saved one by one
    (save() tells status pages of the change)."""
    new = []
    for row in batch:
        if (host := existing.get(row.host.name)) is None:
            row.host.settle_status()
            new.append(row.host)
            continue
        notes = row.host.notes if row.has_notes else host.notes
        if (host.address, host.notes, host.enabled) != (row.host.address, notes, row.host.enabled):
            host.address, host.notes, host.enabled = row.host.address, notes, row.host.enabled
            if not dry_run:
                host.save(update_fields=["address", "notes", "enabled"])
    if not dry_run:
        Host.objects.bulk_create(new)
    return {**existing, **{host.name: host for host in new}}


def _new_checks(batch: list[HostRow], hosts: dict[str, Host], existing: Iterator[Host]) -> list[Check]:
    """The rows' checks their host does not have yet (the same description is the same check)."""
    described = defaultdict(set)
    for check in Check.objects.filter(host__in=list(existing)).select_related("host"):
        described[check.host.name].add(check.describe())
    new = []
    for row in batch:
        host = hosts[row.host.name]
        for check in row.checks:
            check.host = host
            if check.describe() not in described[host.name]:  # by name: a dry run's new hosts have no id
                described[host.name].add(check.describe())
                new.append(check)
    return new


def _add_tags(batch: list[HostRow], hosts: dict[str, Host]) -> None:
    names = {name for row in batch for name in row.tags}
    if not names:
        return
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    links = [Host.tags.through(host_id=hosts[row.host.name].pk, tag_id=tag_ids[name]) for row in batch
             for name in set(row.tags)]  # fmt: skip
    Host.tags.through.objects.bulk_create(links, ignore_conflicts=True)


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
