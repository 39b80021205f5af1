from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("hosts/<int:host_id>/", views.host_detail, name="host_detail"),
    path("hosts/grid.json", views.host_grid_json, name="host_grid_json"),
    path("map/", views.network_map, name="network_map"),
    path("map.json", views.network_map_json, name="network_map_json"),
    path("where/", views.where, name="where_page"),
]
