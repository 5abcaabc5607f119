from django.urls import path

from attachments import views
from attachments.evidence import views as evidence

urlpatterns: list = [
    path("files/details/", views.details, name="attachment_details"),  # before files/<id>/
    path("files/<str:public_id>/", views.attachment, name="attachment"),
    path("files/<str:public_id>/preview/", views.preview, name="attachment_preview"),
    path("rooms/<slug:slug>/files/", views.room_upload, name="room_upload"),
    path("evidence/", evidence.index, name="evidence"),
    path("evidence/<str:kind>/<slug:slug>/", evidence.place, name="evidence_place"),
    path("evidence/<str:kind>/<slug:slug>/originals/<str:public_id>/", evidence.original, name="evidence_original"),
    path("evidence/<str:kind>/<slug:slug>/export/", evidence.export, name="evidence_export"),
]
