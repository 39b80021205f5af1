from django.urls import path

from chat import views

urlpatterns = [
    path("chat/", views.chat_index, name="chat"),
    path("chat/<str:room>/", views.chat_room, name="chat_room"),
]
