from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Network events"

    def ready(self) -> None:
        from core.contracts import signals
        from events import forwarded

        signals.datagrams_forwarded.connect(forwarded.receive, dispatch_uid="events.forwarded")
