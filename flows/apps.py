from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "Flows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.contracts import signals
        from flows import forwarded

        signals.datagrams_forwarded.connect(forwarded.receive, dispatch_uid="flows.forwarded")
