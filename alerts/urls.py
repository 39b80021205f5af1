from django.urls import path

from alerts import rule_views, views

urlpatterns = [
    path("alerts/", views.alert_history, name="alerts"),
    path("alerts/rules/", rule_views.rule_list, name="alert_rules"),
    path("alerts/rules/new/", rule_views.rule_new, name="alert_rule_new"),
    path("alerts/rules/preview.json", rule_views.rule_preview, name="alert_rule_preview"),
    path("alerts/rules/<int:rule_id>/", rule_views.rule_edit, name="alert_rule_edit"),
    path("alerts/rules/<int:rule_id>/delete/", rule_views.rule_delete, name="alert_rule_delete"),
]
