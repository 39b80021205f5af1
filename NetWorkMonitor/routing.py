from stats.routing import websocket_urlpatterns as stats_routes

websocket_urlpatterns = [*stats_routes]
