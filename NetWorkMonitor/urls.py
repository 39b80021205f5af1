from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import second_factor_views
from api import prometheus
from core.web import health

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include("alerts.urls")),
    path("", include("events.urls")),
    path("", include("chat.urls")),
    path("", include("accounts.urls")),
    path("", include("status.urls")),
    path("", include("flows.urls")),
    path("", include("oncall.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("api/", include("api.urls")),
    path("metrics", prometheus.metrics, name="metrics"),
    path("accounts/login/", second_factor_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("oidc/", include("mozilla_django_oidc.urls")),  # 404 while no provider is configured
    path("admin/", admin.site.urls),
]

handler500 = "core.web.errors.server_error"  # a database that does not answer: 503, saying so
