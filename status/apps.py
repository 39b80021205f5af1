from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "status"
    verbose_name = "Status pages and uptime"

    def ready(self) -> None:
        from core.contracts import signals
        from status import ledger, publishing

        # Inside the results' transaction: the uptime ledger commits with the results.
        signals.results_saved.connect(ledger.count_results, dispatch_uid="status.count_results")
        signals.results_recorded.connect(publishing.results_recorded, dispatch_uid="status.results_recorded")
        publishing.connect_edits()
