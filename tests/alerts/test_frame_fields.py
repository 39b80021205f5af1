"""An alert in the alerts and alert frames has the fields the protocol catalogue lists."""

from alerts import recording
from alerts.evaluator import Evaluator
from alerts.models import AlertRule
from core.contracts.metrics import AGENT_ALERT_METRICS
from core.contracts.protocol import FRAMES
from core.contracts.protocol.spec import SERVER_TO_CLIENT


def members(kind: str, name: str) -> set[str]:
    return {f.name for f in next(f for f in FRAMES[(SERVER_TO_CLIENT, kind)].fields if f.name == name).members}


def test_an_open_alert_has_the_fields_of_the_alerts_and_alert_frames(alice):
    rule = AlertRule.objects.create(name="cpu high", metric="cpu_percent", comparison=">", threshold=50)
    rule.recipients.set([alice])
    Evaluator(AGENT_ALERT_METRICS).evaluate_and_record({"agent:web-1": ("web-1", {"cpu_percent": 75})}, None)

    [alert] = recording.open_alerts_for(alice)

    assert set(alert) == members("alerts", "alerts")
    assert set(alert) == members("alert", "alert")
