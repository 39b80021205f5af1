from channels.db import database_sync_to_async

from alerts import recording
from core.consumers import AuthenticatedJsonConsumer
from core.groups import ALERT_FRAME, alerts_user_group


class AlertConsumer(AuthenticatedJsonConsumer):
    """`/ws/alerts/`: the user's own alert channel.

    On connect `{"type": "alerts", "alerts": [...]}` with the user's open alerts;
    then `{"type": "alert", "event": "firing" | "resolved" | "acknowledged", "alert":
    {...}}` as they happen. `{"type": "ack", "id": <alert id>}` acknowledges one of
    the user's alerts; every recipient sees the acknowledgement at once.
    """

    passthrough_messages = frozenset({ALERT_FRAME})

    async def group_names(self) -> list[str]:
        return [alerts_user_group(self.scope["user"].pk)]

    async def welcome(self) -> None:
        alerts = await database_sync_to_async(recording.open_alerts_for)(self.scope["user"])
        await self.send_json({"type": "alerts", "alerts": alerts})

    async def on_ack(self, content: dict) -> None:
        alert_id = content.get("id")
        if type(alert_id) is not int:
            await self.send_error('"id" must be the id of an alert')
            return
        try:
            await database_sync_to_async(recording.acknowledge)(alert_id, self.scope["user"])
        except recording.NotYours as exc:
            await self.send_error(str(exc))
