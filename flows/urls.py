from django.urls import path

from flows import views

urlpatterns = [path("flows/", views.flows_page, name="flows_page")]
