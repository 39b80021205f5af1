from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from alerts import handover, late_recipients, receivers
        from core.contracts import signals

        signals.frame_sampled.connect(receivers.evaluate_frame, dispatch_uid="alerts.evaluate_frame")
        signals.agent_presence.connect(receivers.evaluate_presence, dispatch_uid="alerts.evaluate_presence")
        signals.streams_released.connect(handover.hand_over, dispatch_uid="alerts.hand_over")
        signals.streams_taken.connect(handover.take_over, dispatch_uid="alerts.take_over")
        signals.probe_presence.connect(receivers.evaluate_probe_presence, dispatch_uid="alerts.probe_presence")
        signals.results_recorded.connect(receivers.evaluate_results, dispatch_uid="alerts.evaluate_results")
        signals.events_recorded.connect(receivers.evaluate_events, dispatch_uid="alerts.evaluate_events")
        signals.flows_recorded.connect(receivers.evaluate_flows, dispatch_uid="alerts.evaluate_flows")
        late_recipients.connect()
