from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from config import views
from forum.views import accounts

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/join/<str:token>/", accounts.join, name="join"),
    path("accounts/invitations/", accounts.invitations, name="invitations"),
    path("accounts/language/", accounts.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
