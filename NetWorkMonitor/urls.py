from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from monitor import alert_views, chat_views
from monitor import views as monitor_views
from NetWorkMonitor import health
from stats import prometheus
from stats import views as stats_views

urlpatterns = [
    path("", stats_views.dashboard, name="dashboard"),
    path("hosts/<int:host_id>/", monitor_views.host_detail, name="host_detail"),
    path("hosts/grid.json", monitor_views.host_grid_json, name="host_grid_json"),
    path("alerts/", alert_views.alert_history, name="alerts"),
    path("chat/", chat_views.chat_index, name="chat"),
    path("chat/<str:room>/", chat_views.chat_room, name="chat_room"),
    path("healthz", health.healthz, name="healthz"),
    path("api/", include("monitor.api.urls")),
    path("metrics", prometheus.metrics, name="metrics"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
