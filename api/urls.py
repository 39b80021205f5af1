from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from api import network, views
from api.acknowledging import AcknowledgeAlertView
from api.events import EventViewSet
from api.flows import FlowsView
from api.series import AgentSeriesView, HostSeriesView

router = DefaultRouter(trailing_slash=True)
router.register("hosts", views.HostViewSet, basename="host")
router.register("checks", views.CheckViewSet, basename="check")
router.register("sites", views.SiteViewSet, basename="site")
router.register("alert-rules", views.AlertRuleViewSet, basename="alertrule")
router.register("results", views.CheckResultViewSet, basename="result")
router.register("alert-events", views.AlertEventViewSet, basename="alertevent")
router.register("status-pages", views.StatusPageViewSet, basename="statuspage")
router.register("status-notices", views.NoticeViewSet, basename="notice")
router.register("events", EventViewSet, basename="event")

urlpatterns = [
    path("hosts/<int:host_id>/series", HostSeriesView.as_view(), name="host_series"),
    path("agents/<str:name>/series", AgentSeriesView.as_view(), name="agent_series"),
    path("flows/", FlowsView.as_view(), name="flows_api"),
    path("hosts/<int:host_id>/dependencies/", network.HostDependenciesView.as_view(), name="host_dependencies"),
    path("where/", network.WhereView.as_view(), name="where"),
    path("alerts/<int:alert_id>/acknowledge/", AcknowledgeAlertView.as_view(), name="alert_acknowledge"),
    # The schema maps every endpoint and filter: for signed-in users and tokens only.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api_schema"),
    *router.urls,
]
