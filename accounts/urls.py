from django.urls import path

from accounts import first_run, languages, second_factor_views, views

urlpatterns = [
    path(first_run.SETUP_PATH.strip("/") + "/", first_run.first_admin, name="first_admin"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/preferences/", views.set_preferences, name="profile_preferences"),
    path("i18n/language/", languages.switch_language, name="switch_language"),
    path("i18n/catalogue/<str:language>.js", languages.javascript_catalogue, name="javascript_catalogue"),
    path("accounts/profile/targets/", views.add_target, name="profile_add_target"),
    path("accounts/profile/targets/<int:target_id>/test/", views.test_target, name="profile_test_target"),
    path("accounts/profile/targets/<int:target_id>/delete/", views.delete_target, name="profile_delete_target"),
    path("accounts/profile/tokens/", views.add_token, name="profile_add_token"),
    path("accounts/profile/tokens/<int:token_id>/delete/", views.delete_token, name="profile_delete_token"),
    path("accounts/second-factor/", second_factor_views.verify, name="second_factor"),
    path("accounts/second-factor/enrol/", second_factor_views.enrol, name="second_factor_enrol"),
    path("accounts/second-factor/remove/", second_factor_views.remove, name="second_factor_remove"),
    path("accounts/second-factor/policy/", second_factor_views.set_policy, name="second_factor_policy"),
]
