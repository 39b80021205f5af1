from django.urls import path

from monitor.consumers import AlertConsumer, ChatConsumer, EchoConsumer

websocket_urlpatterns = [
    path("ws/alerts/", AlertConsumer.as_asgi()),
    path("ws/echo/", EchoConsumer.as_asgi()),
    path("ws/chat/<str:room>/", ChatConsumer.as_asgi()),
]
