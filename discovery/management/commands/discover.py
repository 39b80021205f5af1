from django.core.management.base import BaseCommand, CommandError

from discovery import service
from discovery.models import Plan


class Command(BaseCommand):
    help = "Run a discovery plan now, by name (it runs on its schedule anyway), and print what it found."

    def add_arguments(self, parser) -> None:
        parser.add_argument("plan", help="the plan's name")

    def handle(self, *args, **options) -> None:
        plan = Plan.objects.filter(name=options["plan"]).first()
        if plan is None:
            raise CommandError(f"no discovery plan named {options['plan']!r}")
        counts = service.run(plan)
        self.stdout.write(", ".join(f"{count} {what}" for what, count in counts.items()))
