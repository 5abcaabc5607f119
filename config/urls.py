from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from config import views
from forum.views import accounts, following, login, manage, moderation, sessions, two_factor
from forum.views import leaving, recovery

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", login.LoginView.as_view(), name="login"),
    path("accounts/login/verify/", login.login_verify, name="login_verify"),
    path("accounts/two-factor/", two_factor.two_factor, name="two_factor"),
    path("accounts/two-factor/qr.svg", two_factor.two_factor_qr, name="two_factor_qr"),
    path("accounts/webauthn/", include("forum.views.security_keys")),
    path("accounts/logout/", sessions.LogoutView.as_view(), name="logout"),
    path("accounts/sessions/", sessions.sessions_page, name="sessions"),
    path("accounts/exit/", sessions.quick_exit, name="quick_exit"),
    path("weather/", sessions.neutral, name="neutral"),
    path("accounts/password/", sessions.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/join/<str:token>/", accounts.join, name="join"),
    path("accounts/invitations/", accounts.invitations, name="invitations"),
    path("accounts/language/", accounts.set_language, name="set_language"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/export/", leaving.export, name="export"),
    path("accounts/delete/", leaving.delete_account, name="delete_account"),
    path("accounts/password/reset/", recovery.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", recovery.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", recovery.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/password/reset/done/", recovery.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("accounts/reset/<str:token>/", recovery.reset_with_link, name="reset_link"),
    path("notifications/", following.notifications_page, name="notifications"),
    path("following/", views.following, name="following"),
    path("moderation/", moderation.queue, name="moderation"),
    path("moderation/log/", views.moderation_log, name="moderation_log"),
    re_path(r"^moderation/messages/(?P<public_id>[\w-]+)/(?P<action>resolve|dismiss)/$",
            moderation.report_action, name="message_report_action"),
    path("manage/", manage.manage, name="manage"),
    path("manage/places/", manage.create_place, name="manage_places"),
    path("manage/places/<str:spec>/", manage.place, name="manage_place"),
    path("manage/grants/", manage.change_grant, name="manage_grants"),
    path("manage/members/", manage.member, name="manage_member"),
    path("manage/bans/", manage.ban, name="manage_bans"),
    path("manage/bans/lift/", manage.lift_ban, name="manage_bans_lift"),
    path("", include("forum.urls")),
    path("", include("realtime.urls")),
    path("", include("search.urls")),
    path("", include("attachments.urls")),
    path("admin/", admin.site.urls),
]
