"""Every rule of the forum, written once: one `check_<action>(user, obj)` per action.

A check returns None when the member may act. It raises `NotFound` when they may not even
see the object, the same answer as for an id that does not exist (DESIGN.md,
Permissions), and `Forbidden` with a translated reason a person can read when they see
the object but may not do this to it. Services call the check before they write; pages
ask `permissions.can(check, user, obj)` for each control they offer, so a control is
shown exactly when its service would accept (tests/forum/test_agreement.py proves it).

Toggles (hide/unhide, lock/unlock, pin/unpin, approve/reject) check who may act, not
whether the object is in that state already: repeating one is a harmless no-op in its
service (a double click, two moderators at once), and a page offers the one of each pair
that changes something.

Grants come from `permissions.perms_for`, which reads them once per place per request
(the grant cache opened by forum.middleware.GrantCacheMiddleware), however many checks
a page runs. The rules that lists apply in SQL (forum/selectors/content.py) say the
same as `_check_sees_thread` and `_check_sees_post`; the agreement test holds them together.
"""

from django.utils.translation import gettext as _

from forum import permissions
from forum.errors import Forbidden, NotFound
from forum.models import Category, Post, Status, Thread


# Small rules, composed below ------------------------------------------------------------

def _moderates(user, category: Category) -> bool:
    return permissions.MODERATE in permissions.perms_for(user, category)


def _check_sees_category(user, category: Category) -> None:
    if permissions.VIEW not in permissions.perms_for(user, category):
        raise NotFound


def _check_writes_in(user, category: Category) -> None:
    if permissions.POST not in permissions.perms_for(user, category):
        raise Forbidden(_("You can read this category but not write in it."))


def _check_moderates(user, category: Category) -> None:
    if not _moderates(user, category):
        permissions.check_second_factor(user, category)
        raise Forbidden(_("Only this category's moderators can do this."))


def _sees(user, item: Thread | Post, category: Category) -> bool:
    """Moderators see all but rejected text; members see what is public, and their own
    text while it waits. Hidden text is the moderators' business, its author's no more."""
    if _moderates(user, category):
        return item.status != Status.REJECTED
    if item.is_hidden:
        return False
    return item.status == Status.APPROVED or (item.status == Status.PENDING and item.author_id == user.pk)


def _check_sees_thread(user, thread: Thread) -> None:
    _check_sees_category(user, thread.category)
    if not _sees(user, thread, thread.category):
        raise NotFound


def _check_sees_post(user, post: Post) -> None:
    _check_sees_thread(user, post.thread)
    if not _sees(user, post, post.thread.category):
        raise NotFound


def _check_thread_open(user, thread: Thread) -> None:
    """Members write only in a published, unlocked thread; its moderators anywhere they see."""
    if _moderates(user, thread.category):
        return
    if thread.status == Status.PENDING:
        raise Forbidden(_("This thread is waiting for a moderator's approval."))
    if thread.is_locked:
        raise Forbidden(_("This thread is locked: only moderators can reply."))


# Categories -----------------------------------------------------------------------------

def check_view_category(user, category: Category) -> None:
    _check_sees_category(user, category)


def check_start_thread(user, category: Category) -> None:
    _check_sees_category(user, category)
    _check_writes_in(user, category)


def check_moderate(user, category: Category) -> None:
    """Moderation powers in a category: the queue, pre-moderation skipped, earlier versions."""
    _check_sees_category(user, category)
    _check_moderates(user, category)


def check_follow_category(user, category: Category) -> None:
    _check_sees_category(user, category)


def check_manage_categories(user) -> None:
    """Creating and changing categories is for coalition admins."""
    permissions.check_coalition_admin(user, _("Only coalition admins can create or change categories."))


def check_manage(user) -> None:
    """The coalition's own pages (/manage/): 404 to anyone but a coalition admin, as if
    they did not exist; an admin whose session used no second factor is sent to use it."""
    if user is None or not (user.is_authenticated and user.is_active and user.is_superuser):
        raise NotFound()
    permissions.check_second_factor(user)


# Organisations ----------------------------------------------------------------------------

LEAD = "forum.lead_organisation"


def check_invite(user, organisation) -> None:
    """Coalition admins invite into any organisation (or none); an organisation's leads
    into theirs; nobody else."""
    if user is None or not (user.is_authenticated and user.is_active):
        raise Forbidden(_("Only the leads of an organisation and coalition admins can invite into it."))
    if user.is_superuser:
        permissions.check_second_factor(user)
        return
    if organisation is None or not user.has_perm(LEAD, organisation):
        raise Forbidden(_("Only the leads of an organisation and coalition admins can invite into it."))


def check_revoke_invitation(user, invitation) -> None:
    """Its maker or a coalition admin takes back an invitation nobody used."""
    if invitation.used_at is not None:
        raise Forbidden(_("This invitation was used already."))
    if user.is_superuser:
        permissions.check_second_factor(user)
    elif invitation.created_by_id != user.pk:
        raise NotFound()


# Threads --------------------------------------------------------------------------------

def check_view_thread(user, thread: Thread) -> None:
    _check_sees_thread(user, thread)


def check_reply(user, thread: Thread) -> None:
    _check_sees_thread(user, thread)
    _check_writes_in(user, thread.category)
    _check_thread_open(user, thread)


def check_follow_thread(user, thread: Thread) -> None:
    _check_sees_thread(user, thread)


def _check_moderates_thread(user, thread: Thread) -> None:
    _check_sees_thread(user, thread)
    _check_moderates(user, thread.category)


check_lock = check_unlock = check_pin = check_unpin = _check_moderates_thread


def check_move(user, thread: Thread, to: Category | None = None) -> None:
    """Out of a category its moderator moderates, into another one they moderate."""
    _check_moderates_thread(user, thread)
    if to is not None and not _moderates(user, to):
        raise Forbidden(_("You can only move a thread to a category you moderate."))


# Posts ----------------------------------------------------------------------------------

def check_view_post(user, post: Post) -> None:
    _check_sees_post(user, post)


def check_quote(user, post: Post) -> None:
    """Only published text is quoted: a quote of a hidden or waiting post would publish it
    again under someone else's name, so for quoting it does not exist, for moderators too."""
    _check_sees_post(user, post)
    if post.status != Status.APPROVED or post.is_hidden:
        raise NotFound
    check_reply(user, post.thread)


def check_edit(user, post: Post) -> None:
    """Authors rewrite their own visible posts where they may still write. In a locked
    thread only a moderator's own posts stay editable (as Discourse does for closed topics)."""
    _check_sees_post(user, post)
    if post.author_id != user.pk:
        raise Forbidden(_("You can only edit your own posts."))
    _check_writes_in(user, post.thread.category)
    if _moderates(user, post.thread.category):
        if post.is_hidden:  # only a moderator still sees their own hidden post
            raise Forbidden(_("This post can no longer be edited."))
        return
    if post.thread.is_locked:
        raise Forbidden(_("This thread is locked: its posts can no longer be edited."))


def check_report(user, post: Post) -> None:
    """Anyone who sees a post may ask its moderators to look at it, their own included
    (in a locked thread, that is how an author asks for their words to be taken down)."""
    _check_sees_post(user, post)


def _check_moderates_post(user, post: Post) -> None:
    _check_sees_post(user, post)
    _check_moderates(user, post.thread.category)


check_hide = check_unhide = check_approve = check_reject = _check_moderates_post
