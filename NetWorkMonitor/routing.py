from monitor.routing import websocket_urlpatterns as monitor_routes
from stats.routing import websocket_urlpatterns as stats_routes

websocket_urlpatterns = [*stats_routes, *monitor_routes]
