from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from NetWorkMonitor import health
from stats import views as stats_views

urlpatterns = [
    path("", stats_views.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
