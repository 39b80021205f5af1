import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or update the superuser 'admin' with the password in NETMON_ADMIN_PASSWORD."

    def handle(self, *args, **options):
        password = os.environ.get("NETMON_ADMIN_PASSWORD")
        if not password:
            raise CommandError("NETMON_ADMIN_PASSWORD is not set")
        user, created = get_user_model().objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"superuser 'admin' {'created' if created else 'updated'}")
