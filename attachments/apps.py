from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "attachments"
    verbose_name = _("Attachments")

    def ready(self):
        from attachments import leaving
        from attachments.evidence import crypto
        from forum.leaving import register_holding

        # A malformed MAJLIS_EVIDENCE_KEY stops `migrate`, `runserver` and `check` (make run).
        checks.register(crypto.check_key, checks.Tags.security)
        # A member who exports their data or leaves: their files and originals, the forum's one way.
        register_holding(leaving.holding())
