from django.db import models


class Agent(models.Model):
    """A host that runs an agent worker and reports its own statistics."""

    name = models.CharField(max_length=255, unique=True)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sample(models.Model):
    """One tick of one agent: the stats frame as sent to the dashboard."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="samples")
    ts = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["agent", "ts"]), models.Index(fields=["ts"])]
        ordering = ["agent", "ts"]

    def __str__(self) -> str:
        return f"{self.agent} @ {self.ts:%Y-%m-%d %H:%M:%S}"
