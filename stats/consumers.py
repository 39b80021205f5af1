from NetWorkMonitor.websocket import AuthenticatedJsonConsumer
from stats import latest
from stats.publisher import STATS_GROUP


class StatsConsumer(AuthenticatedJsonConsumer):
    """Live host statistics for the dashboard: every agent's frames, as the agents send them."""

    database_free_messages = frozenset({"stats.frame"})

    async def group_names(self) -> list[str]:
        return [STATS_GROUP]

    async def welcome(self) -> None:
        # Joined the group before reading, so no frame falls between the two;
        # the page drops a frame it has already seen (same host and seq).
        for text in await latest.all_frames():
            await self.send(text_data=text)

    async def stats_frame(self, event: dict) -> None:
        # Encoded once by the agent; passed through untouched to every socket.
        await self.send(text_data=event["text"])
