from django.core.management.base import BaseCommand

from flows import service


class Command(BaseCommand):
    help = "Receive NetFlow v5/v9, IPFIX and sFlow v5; keep per-minute top talkers; send live ones to the pages."

    def handle(self, *args, **options) -> None:
        service.run()
