"""Django's admin app, serving our site (forum/admin_site.py); named in INSTALLED_APPS.

A module of its own, importing nothing of ours: the app registry loads it before any model.
"""

from django.contrib.admin.apps import AdminConfig


class MajlisAdminConfig(AdminConfig):
    default_site = "forum.admin_site.MajlisAdminSite"
