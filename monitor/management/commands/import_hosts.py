from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitor.csv_import import import_hosts


class Command(BaseCommand):
    help = "Import monitored hosts and their checks from a CSV file (see monitor/csv_import.py for the columns)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and report, save nothing")

    def handle(self, path: Path, dry_run: bool, **options):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        report = import_hosts(text, dry_run=dry_run)
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        self.stdout.write(("Dry run: " if dry_run else "") + report.summary())
        if report.errors:
            raise CommandError(f"{len(report.errors)} rows rejected")
