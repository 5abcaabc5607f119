"""Notifications keep their sentence's arguments, not the sentence (issue 16, item 3).

Each stored text was written in its reader's language (English or Arabic) from one of a
few sentences, with names and titles between Unicode isolates: `arguments_for` reads them
back into `args`. A text it cannot read is kept whole as `args["text"]`, shown as it was.
Links to a post (`/t/<thread>/#p-<post>`) become `/p/<post>/`, which lands on the page
that holds it.
"""

import re

from django.conf import settings
from django.db import migrations, models
from django.utils.translation import override

FSI, PDI = "\u2068", "\u2069"

# The sentences as they were stored until this migration, in English and in Arabic (frozen
# here: the catalogue moves on). Keys are those of forum.models.following.SENTENCES.
OLD_SENTENCES = {
    "mention": ["%(name)s mentioned you in “%(title)s”", "أشار إليك %(name)s في «%(title)s»"],
    "reply": ["%(name)s replied to you in “%(title)s”", "ردّ عليك %(name)s في «%(title)s»"],
    "post": ["%(name)s posted in “%(title)s”", "كتب %(name)s في «%(title)s»"],
    "pending": ["%(name)s's post in “%(title)s” awaits approval", "مشاركة %(name)s في «%(title)s» بانتظار الموافقة"],
    "room": ["New messages in “%(room)s”", "رسائل جديدة في «%(room)s»"],
    "rejected": ["A moderator did not approve your post in “%(title)s”.",
                 "لم يوافق أحد المشرفين على مشاركتك في «%(title)s»."],
    "hidden": ["A moderator hid your post in “%(title)s”.", "أخفى أحد المشرفين مشاركتك في «%(title)s»."],
}
SENTENCES_OF_KIND = {
    "mention": ["mention"], "reply": ["reply"], "post": ["post", "pending"], "room": ["room"],
    "moderation": ["rejected", "hidden"],
}
REASON = ["Reason:", "السبب:"]
FORMER_MEMBER = ["former member", "عضو سابق"]
THREAD_URL = re.compile(r"^/t/(?P<thread>[\w-]+)/(?:\?[^#]*)?(?:#p-(?P<post>[\w-]+))?$")


def _pattern(sentence: str, reason: str | None) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", sentence)  # text, name, text, name, …, text
    regex = "".join(
        re.escape(part) if n % 2 == 0 else f"{FSI}(?P<{'title' if part == 'room' else part}>[^{PDI}]*){PDI}"
        for n, part in enumerate(parts)
    )
    if reason:
        regex += f"(?: {re.escape(reason)} (?P<reason>.*))?"
    return re.compile(regex + r"\Z", re.DOTALL)


PATTERNS = {
    key: [_pattern(sentence, REASON[n] if key in ("rejected", "hidden") else None)
          for n, sentence in enumerate(sentences)]
    for key, sentences in OLD_SENTENCES.items()
}


def arguments_for(kind: str, text: str, url: str) -> tuple[dict, str]:
    """The arguments of an old notification's text, and its url as it is now written."""
    link = THREAD_URL.match(url)
    if link and link.group("post"):
        url = f"/p/{link.group('post')}/"
    for key in SENTENCES_OF_KIND.get(kind, []):
        for pattern in PATTERNS[key]:
            if found := pattern.match(text):
                args = {"t": key, **{k: v for k, v in found.groupdict().items() if v is not None}}
                if args.get("name") in FORMER_MEMBER:
                    args["name"] = None  # said as "former member" in the reader's language
                if link:
                    args["thread"] = link.group("thread")
                return args, url
    return {"t": "text", "text": text}, url


def fill_arguments(apps, schema_editor) -> None:
    Notification = apps.get_model("forum", "Notification")
    batch = []
    for note in Notification.objects.only("pk", "kind", "text", "url").iterator(chunk_size=1000):
        note.args, note.url = arguments_for(note.kind, note.text, note.url)
        batch.append(note)
        if len(batch) == 1000:
            Notification.objects.bulk_update(batch, ["args", "url"])
            batch = []
    Notification.objects.bulk_update(batch, ["args", "url"])


def restore_text(apps, schema_editor) -> None:
    """Backwards: each text said again, in its reader's language."""
    from forum.models.following import render_notification

    Notification, Profile = apps.get_model("forum", "Notification"), apps.get_model("forum", "Profile")
    languages = dict(Profile.objects.values_list("user_id", "language"))
    batch = []
    for note in Notification.objects.only("pk", "user_id", "args", "count").iterator(chunk_size=1000):
        with override(languages.get(note.user_id) or settings.LANGUAGE_CODE):
            note.text = render_notification(note.args, note.count)[:300]
        batch.append(note)
    Notification.objects.bulk_update(batch, ["text"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('forum', '0011_reading'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='args',
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name='notification',
            name='group',
            field=models.CharField(blank=True, default='', max_length=40),
        ),
        migrations.RunPython(fill_arguments, restore_text),
        migrations.RemoveField(
            model_name='notification',
            name='text',
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(
                condition=models.Q(('read_at__isnull', True), models.Q(('group', ''), _negated=True)),
                fields=('user', 'group'), name='one_unread_notification_per_group',
            ),
        ),
    ]
