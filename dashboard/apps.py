from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from core.contracts import signals
        from dashboard import frames

        # Connected before alerts (INSTALLED_APPS order): the pages hear of results before rules are evaluated.
        signals.results_recorded.connect(frames.publish_results, dispatch_uid="dashboard.publish_results")
        signals.events_recorded.connect(frames.publish_ports, dispatch_uid="dashboard.publish_ports")
