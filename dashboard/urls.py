from django.urls import path

from dashboard import agent_pages, host_config, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("hosts/<int:host_id>/", views.host_detail, name="host_detail"),
    path("hosts/grid.json", views.host_grid_json, name="host_grid_json"),
    path("hosts/new/", host_config.create_host, name="create_host"),
    path("hosts/<int:host_id>/config.json", host_config.host_config, name="host_config"),
    path("hosts/<int:host_id>/config/", host_config.update_host, name="update_host"),
    path("hosts/<int:host_id>/clone/", host_config.clone_host, name="clone_host"),
    path("hosts/<int:host_id>/delete/", host_config.delete_host, name="delete_host"),
    path("hosts/<int:host_id>/pause/", host_config.pause_host, name="pause_host"),
    path("hosts/<int:host_id>/resume/", host_config.resume_host, name="resume_host"),
    path("hosts/<int:host_id>/maintenance/", host_config.maintenance_host, name="maintenance_host"),
    path("hosts/bulk/", host_config.bulk_hosts, name="bulk_hosts"),
    path("hosts/quick-add/", host_config.quick_add, name="quick_add_checks"),
    path("hosts/test/", host_config.test_checks, name="test_checks"),
    path("hosts/test/<str:token>/", host_config.test_results, name="test_results"),
    path("agents/", agent_pages.agent_list, name="agents"),
    path("agents/wheel/", agent_pages.agent_wheel_download, name="agent_wheel"),
    path("agents/<str:name>/revoke/", agent_pages.agent_revoke, name="agent_revoke"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("map/", views.network_map, name="network_map"),
    path("map.json", views.network_map_json, name="network_map_json"),
    path("where/", views.where, name="where_page"),
]
