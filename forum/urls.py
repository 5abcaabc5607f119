from django.urls import path, re_path

from forum.views import content, following, moderation

urlpatterns = [
    path("c/<slug:slug>/", content.category, name="category"),
    path("c/<slug:slug>/new/", content.new_thread, name="new_thread"),
    path("c/<slug:slug>/read/", content.mark_category_read, name="mark_category_read"),
    path("t/<str:public_id>/", content.thread, name="thread"),
    path("t/<str:public_id>/reply/", content.reply, name="reply"),
    path("c/<slug:slug>/follow/", following.follow_category, name="follow_category"),
    path("t/<str:public_id>/follow/", following.follow_thread, name="follow_thread"),
    path("notifications/read/", following.read_all_notifications, name="read_all_notifications"),
    path("notifications/<str:public_id>/read/", following.read_notification, name="read_notification"),
    path("notifications/<str:public_id>/", following.open_notification, name="open_notification"),
    path("m/<str:public_id>/", following.member, name="member"),
    path("t/<str:public_id>/move/", moderation.move_thread, name="move_thread"),
    re_path(r"^t/(?P<public_id>[\w-]+)/(?P<action>lock|unlock|pin|unpin)/$", moderation.thread_action,
            name="thread_action"),
    path("p/<str:public_id>/", content.post, name="post"),
    path("p/<str:public_id>/edit/", content.edit_post, name="edit_post"),
    path("p/<str:public_id>/report/", content.report_post, name="report_post"),
    re_path(r"^p/(?P<public_id>[\w-]+)/(?P<action>hide|unhide|approve|reject)/$", moderation.post_action,
            name="post_action"),
    re_path(r"^moderation/reports/(?P<public_id>[\w-]+)/(?P<action>resolve|dismiss)/$",
            moderation.report_action, name="report_action"),
]
