from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from alerts import defaults


class Command(BaseCommand):
    help = "Install the default alert rules, sent to USERNAME, unless some rule exists already."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account named {username!r}")
        made = defaults.install(user)
        self.stdout.write(f"{len(made)} default alert rules installed" if made else "alert rules exist already")
