import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or update the superuser 'admin' with the password in NETMON_ADMIN_PASSWORD."

    def handle(self, *args, **options):
        password = os.environ.get("NETMON_ADMIN_PASSWORD")
        if not password:
            raise CommandError("NETMON_ADMIN_PASSWORD is not set")
        User = get_user_model()
        user = User.objects.filter(username="admin").first() or User(username="admin")
        try:
            # The same rules as every other password (AUTH_PASSWORD_VALIDATORS): not short,
            # common, numeric or like the user name.
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("NETMON_ADMIN_PASSWORD is not accepted: " + " ".join(error.messages)) from None
        created = user.pk is None
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"superuser 'admin' {'created' if created else 'updated'}")
