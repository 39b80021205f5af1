from django.urls import path

from status.consumers import StatusPageConsumer

websocket_urlpatterns = [path("ws/status/<slug:slug>/", StatusPageConsumer.as_asgi())]
