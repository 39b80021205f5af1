from channels.db import database_sync_to_async
from django.utils import translation

from alerts import recording
from core.contracts.groups import ALERT_FRAME, alerts_user_group
from core.contracts.protocol import frame
from core.i18n.languages import languages_of
from core.sockets.consumers import AuthenticatedJsonConsumer


class AlertConsumer(AuthenticatedJsonConsumer):
    """`/ws/alerts/`: the user's own alert channel.

    On connect `{"type": "alerts", "alerts": [...]}` with the user's open alerts;
    then `{"type": "alert", "event": "firing" | "resolved" | "acknowledged", "alert":
    {...}}` as they happen. `{"type": "ack", "id": <alert id>}` acknowledges one of
    the user's alerts; every recipient sees the acknowledgement at once. Texts are in the
    language on the user's profile.
    """

    passthrough_messages = frozenset({ALERT_FRAME})

    async def group_names(self) -> list[str]:
        return [alerts_user_group(self.scope["user"].pk)]

    async def welcome(self) -> None:
        user = self.scope["user"]
        self.language = (await database_sync_to_async(languages_of)([user.pk]))[user.pk]
        alerts = await database_sync_to_async(self.in_language(recording.open_alerts_for))(user)
        await self.send_json(frame("alerts", alerts=alerts))

    def in_language(self, function):
        def call(*args):
            with translation.override(self.language):
                return function(*args)

        return call

    async def on_ack(self, content: dict) -> None:
        alert_id = content.get("id")
        if type(alert_id) is not int:
            await self.send_error('"id" must be the id of an alert')
            return
        try:
            await database_sync_to_async(self.in_language(recording.acknowledge))(alert_id, self.scope["user"])
        except recording.NotYours as exc:
            await self.send_error(str(exc))
