"""Security data is kept briefly (issue 13, item 7).

django-axes records failed logins to lock an account name for a cool-off time
(config/settings.py: never an address). Past that, a record only says who tried to log in
when, and with which browser: nothing a seized server should still hold. So every axes
record older than `MAJLIS_SECURITY_DATA_HOURS` (24) is deleted by `manage.py purge_expired`.
"""

from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forum import erasure

# AccessLog and AccessFailureLog are turned off in settings today; they are purged too, so
# turning either on can never start an archive.
AXES_RECORDS = (AccessAttempt, AccessFailureLog, AccessLog)


def purge_security_data(now: datetime | None = None) -> int:
    """Delete axes' login records older than the kept time; return how many went.

    An attempt's `attempt_time` is its latest failure (axes moves it on each one), so a
    name still being tried keeps its lockout. Like any purge, the deleted rows are wiped
    from the database files too (forum/erasure.py).
    """
    limit = (now or timezone.now()) - timedelta(hours=settings.MAJLIS_SECURITY_DATA_HOURS)
    deleted = 0
    with transaction.atomic():
        for model in AXES_RECORDS:
            _count, per_model = model.objects.filter(attempt_time__lt=limit).delete()
            deleted += per_model.get(model._meta.label, 0)
        if deleted:
            erasure.scrub_after_commit()
    erasure.vacuum(list(AXES_RECORDS))
    return deleted
