from django.core.management.base import BaseCommand

import celery_app  # noqa: F401  the tasks this process sends (alert notifications) go to this installation's broker
from stats import service


class Command(BaseCommand):
    help = "Relay every agent's frames to the dashboards, write them to history, watch for silent agents."

    def handle(self, *args, **options) -> None:
        service.run()
