from alerts.routing import websocket_urlpatterns as alerts_routes
from chat.routing import websocket_urlpatterns as chat_routes
from dashboard.routing import websocket_urlpatterns as dashboard_routes
from status.routing import websocket_urlpatterns as status_routes

websocket_urlpatterns = [*dashboard_routes, *alerts_routes, *chat_routes, *status_routes]
