from django.urls import path

from status import page_editor, reports, views

urlpatterns = [
    path("status/<slug:slug>/", views.status_page, name="status_page"),
    path("status/<slug:slug>/status.json", views.status_document, name="status_document"),
    path("status/<slug:slug>/badge/<int:host_id>.svg", views.badge, name="status_badge"),
    path("status/<slug:slug>/logo", views.logo, name="status_logo"),
    path("reports/uptime/", reports.uptime_report, name="uptime_report"),
    path("status-pages/", page_editor.page_list, name="status_pages"),
    path("status-pages/new/", page_editor.page_new, name="status_page_new"),
    path("status-pages/<int:page_id>/", page_editor.page_edit, name="status_page_edit"),
    path("status-pages/<int:page_id>/delete/", page_editor.page_delete, name="status_page_delete"),
]
