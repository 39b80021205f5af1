from django.core.management.base import BaseCommand

import celery_app  # noqa: F401  the tasks this process sends (alert notifications) go to this installation's broker
from events import service


class Command(BaseCommand):
    help = "Receive SNMP traps and syslog from network devices: store them, show them live, alert on them."

    def handle(self, *args, **options) -> None:
        service.run()
