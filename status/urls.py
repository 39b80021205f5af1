from django.urls import path

from status import reports, views

urlpatterns = [
    path("status/<slug:slug>/", views.status_page, name="status_page"),
    path("status/<slug:slug>/status.json", views.status_document, name="status_document"),
    path("status/<slug:slug>/badge/<int:host_id>.svg", views.badge, name="status_badge"),
    path("status/<slug:slug>/logo", views.logo, name="status_logo"),
    path("reports/uptime/", reports.uptime_report, name="uptime_report"),
]
