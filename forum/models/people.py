"""People: organisations, pseudonymous profiles and the invitations that vouch for them."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from forum.ids import new_public_id
from forum.times import DEFAULT_TIME_ZONE, validate_time_zone

# The groups every grant is given to, kept in step with each profile by the services.
MEMBERS_GROUP = "members"
IN_COUNTRY_GROUP = "in-country"
DIASPORA_GROUP = "diaspora"
RESERVED_GROUP_NAMES = {MEMBERS_GROUP, IN_COUNTRY_GROUP, DIASPORA_GROUP}


class Region(models.TextChoices):
    SANAA = "sanaa", _("Sana'a")
    MARIB = "marib", _("Marib")
    ADEN = "aden", _("Aden")
    SHABWA = "shabwa", _("Shabwa")
    TAIZ = "taiz", _("Taiz")
    DIASPORA = "diaspora", _("Diaspora")


class Location(models.TextChoices):
    IN_COUNTRY = "in_country", _("In the country")
    DIASPORA = "diaspora", _("In the diaspora")


class Language(models.TextChoices):
    ARABIC = "ar", "العربية"
    ENGLISH = "en", "English"


class Organisation(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="organisation", editable=False
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        # Leads vouch for new members of their organisation (forum/checks.py, check_invite).
        permissions = [("lead_organisation", _("Can invite people into the organisation"))]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ar if (get_language() or "ar").startswith("ar") else self.name_en


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    display_name = models.CharField(_("display name"), max_length=40)
    # The case-folded form: two display names with one key are one name.
    display_name_key = models.CharField(max_length=160, unique=True, editable=False)
    # The confusable skeleton (forum.names): a name whose skeleton another member holds is
    # refused by the services. Not unique: members who already looked alike before this
    # column existed keep their names (see migration 0007).
    display_name_skeleton = models.CharField(max_length=320, db_index=True, editable=False, default="")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="profiles", verbose_name=_("organisation"),
    )
    location = models.CharField(_("location"), max_length=16, choices=Location.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ARABIC
    )
    # The IANA zone the member's pages show times in (forum/times.py); stored times are UTC.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone],
    )
    # The chain of vouching: who invited this member.
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="invitees", verbose_name=_("invited by"),
    )
    hide_presence = models.BooleanField(_("hide my presence and typing"), default=False)
    watch_what_i_write = models.BooleanField(
        _("watch the threads I start or reply to"), default=True
    )
    # Pictures in posts and rooms load in full without a tap (attachments/): off by default,
    # since a full picture costs a member on a paid link many times its preview.
    load_full_pictures = models.BooleanField(_("load full pictures automatically"), default=False)
    # For digests only: never shown to anyone, never used for anything else.
    email = models.EmailField(_("e-mail for digests"), blank=True)
    digest = models.CharField(
        _("digest"), max_length=10, default="none",
        choices=[("none", _("Never")), ("daily", _("Daily")), ("weekly", _("Weekly"))],
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name


class Invitation(models.Model):
    # Names the invitation on its maker's page (to take it back), never the token.
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    # Only a hash of the token is stored: a copy of the database cannot be used to join.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True,
        related_name="invitations", verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="invitations_created", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="invitation", verbose_name=_("used by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} → {self.organisation or '—'}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class SessionRecord(models.Model):
    """What a member sees of one of their sessions on the sessions page (issue 13, item 2):
    an opaque id, a device class (forum/user_agents.py, never the user agent), and the
    hours it began and was last seen. Never an address. The session itself is Django's."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records")
    session_key = models.CharField(max_length=40, unique=True)
    device = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at", "-created_at"]
