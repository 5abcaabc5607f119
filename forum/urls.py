from django.urls import path, re_path

from forum.views import content, moderation

urlpatterns = [
    path("c/<slug:slug>/", content.category, name="category"),
    path("c/<slug:slug>/new/", content.new_thread, name="new_thread"),
    path("t/<str:public_id>/", content.thread, name="thread"),
    path("t/<str:public_id>/reply/", content.reply, name="reply"),
    path("t/<str:public_id>/move/", moderation.move_thread, name="move_thread"),
    re_path(r"^t/(?P<public_id>[\w-]+)/(?P<action>lock|unlock|pin|unpin)/$", moderation.thread_action,
            name="thread_action"),
    path("p/<str:public_id>/edit/", content.edit_post, name="edit_post"),
    path("p/<str:public_id>/report/", content.report_post, name="report_post"),
    re_path(r"^p/(?P<public_id>[\w-]+)/(?P<action>hide|unhide|approve|reject)/$", moderation.post_action,
            name="post_action"),
    re_path(r"^moderation/reports/(?P<public_id>[\w-]+)/(?P<action>resolve|dismiss)/$",
            moderation.report_action, name="report_action"),
]
