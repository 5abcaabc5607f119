from django.urls import path

from attachments import views

urlpatterns: list = [
    path("files/<str:public_id>/", views.attachment, name="attachment"),
    path("files/<str:public_id>/preview/", views.preview, name="attachment_preview"),
    path("rooms/<slug:slug>/files/", views.room_upload, name="room_upload"),
]
