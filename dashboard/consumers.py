from channels.db import database_sync_to_async

from core.contracts.groups import DEVICES_GROUP, STATS_FRAME, host_group
from core.contracts.protocol import frame
from core.sockets.consumers import AuthenticatedJsonConsumer
from dashboard import stats_hub
from monitor.models import Host


class StatsConsumer(AuthenticatedJsonConsumer):
    """Live statistics for the dashboard: every agent's frames and host states as they are sent.

    A page about one monitored host also sends `{"type": "watch", "host": <id>}`
    to receive that host's full check results; the network map sends
    `{"type": "watch", "devices": true}` to receive every device's ports.
    """

    # Frames of a watched host's group and of the devices group, encoded once by the sender.
    # The "stats" group's reach the socket through this process's hub (dashboard.stats_hub).
    passthrough_messages = frozenset({STATS_FRAME})

    async def welcome(self) -> None:
        # The snapshot, then every later frame; after a Redis outage, the snapshot again
        # (the page drops a frame it has already seen: same host and seq).
        for text in await stats_hub.hub().join(self.send_text):
            await self.send(text_data=text)

    async def send_text(self, text: str) -> None:
        await self.send(text_data=text)

    async def disconnect(self, code: int) -> None:
        stats_hub.hub().leave(self.send_text)
        await super().disconnect(code)

    async def on_watch(self, content: dict) -> None:
        if content.get("devices") is True:  # the network map: every device's ports
            if DEVICES_GROUP not in self.joined:
                await self.channel_layer.group_add(DEVICES_GROUP, self.channel_name)
                self.joined.append(DEVICES_GROUP)
            await self.send_json(frame("watching", devices=True))
            return
        host_id = content.get("host")
        if type(host_id) is not int or not await database_sync_to_async(Host.objects.filter(pk=host_id).exists)():
            await self.send_error('"host" must be the id of a monitored host')
            return
        # One watched host per socket: a new watch replaces the previous one.
        for group in [g for g in self.joined if g.startswith("host.")]:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.joined.remove(group)
        group = host_group(host_id)
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.append(group)
        await self.send_json(frame("watching", host=host_id))
