from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Host statistics"

    def ready(self) -> None:
        from core.contracts import signals
        from stats import receivers

        signals.results_saved.connect(receivers.store_check_history, dispatch_uid="stats.check_history")
