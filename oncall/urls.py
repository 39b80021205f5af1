from django.urls import path

from oncall import views

urlpatterns = [
    path("oncall/", views.teams, name="oncall_teams"),
    path("oncall/teams/<int:team_id>/", views.team, name="oncall_team"),
    path("oncall/teams/<int:team_id>/calendar.ics", views.team_calendar, name="oncall_team_calendar"),
    path("oncall/schedules/<int:schedule_id>/overrides/", views.add_override, name="oncall_add_override"),
    path("oncall/me/calendar.ics", views.my_calendar, name="oncall_my_calendar"),
    path("oncall/feeds/", views.new_feed, name="oncall_new_feed"),
    path("oncall/calendar/<str:secret>.ics", views.feed, name="oncall_feed"),
]
