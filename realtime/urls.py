from django.urls import path

from realtime import views

urlpatterns: list = [
    path("rooms/", views.room_list, name="rooms"),
    path("rooms/<slug:slug>/", views.room_page, name="room"),
    path("rooms/<slug:slug>/send/", views.send_message, name="room_send"),
    path("rooms/<slug:slug>/follow/", views.follow_room, name="follow_room"),
    path("rooms/<slug:slug>/read/", views.room_read, name="room_read"),
    path("rooms/<slug:slug>/messages/<str:message_id>/edit/", views.edit_message, name="room_message_edit"),
    path("rooms/<slug:slug>/messages/<str:message_id>/versions/", views.message_versions,
         name="room_message_versions"),
]
