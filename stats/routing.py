from django.urls import path

from stats.consumers import StatsConsumer

websocket_urlpatterns = [
    path("ws/stats/", StatsConsumer.as_asgi()),
]
