from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from alerts import late_recipients, receivers
        from core.contracts import signals

        signals.frame_sampled.connect(receivers.evaluate_frame, dispatch_uid="alerts.evaluate_frame")
        signals.agent_presence.connect(receivers.evaluate_presence, dispatch_uid="alerts.evaluate_presence")
        signals.results_recorded.connect(receivers.evaluate_results, dispatch_uid="alerts.evaluate_results")
        late_recipients.connect()
