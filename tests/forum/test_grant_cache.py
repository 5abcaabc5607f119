"""Grants read once per place per request (forum/permissions.py `grants_cached`, opened by
forum.middleware.GrantCacheMiddleware), however many controls a page checks; read afresh
by the next request, and on every check outside a request (sockets keep a user for hours
and must see a revocation at once).
"""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import checks, permissions
from forum.services import content
from forum.services.grants import do_revoke_permission

# The one query that reads a user's grants on one place (permissions._grants_sql).
GRANT_LOOKUP = re.compile(r'SELECT p\."?codename"? FROM', re.I)


def grant_lookups(captured) -> int:
    return sum(bool(GRANT_LOOKUP.search(q["sql"])) for q in captured.captured_queries)


def measured(client, method, path, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path) if method == "get" else client.post(path, data)
    return response, grant_lookups(captured)


def test_a_thread_page_of_many_posts_reads_its_categorys_grants_once(thread, writer, other_member, moderator, client_for):
    for n in range(19):
        content.reply(author=(writer, other_member)[n % 2], thread=thread, body=f"Post {n}")
    for user in (other_member, moderator):
        response, lookups = measured(client_for(user), "get", f"/t/{thread.public_id}/")
        assert response.status_code == 200 and lookups == 1


def test_the_new_thread_post_reads_the_categorys_grants_once(category, writer, client_for):
    response, lookups = measured(client_for(writer), "post", "/c/campaigns/new/", {"title": "Curfew", "body": "Tonight"})
    assert response.status_code == 302 and lookups <= 1


def test_a_reply_post_reads_the_categorys_grants_once(thread, other_member, client_for):
    quoted = content.reply(author=thread.author, thread=thread, body="Quote me")
    data = {"body": "Agreed", "reply_to": quoted.public_id}
    response, lookups = measured(client_for(other_member), "post", f"/t/{thread.public_id}/reply/", data)
    assert response.status_code == 302 and lookups <= 1


def test_the_next_request_sees_a_revoked_grant(thread, category, writer, client_for):
    client = client_for(writer)
    assert client.get(f"/t/{thread.public_id}/").status_code == 200
    do_revoke_permission(actor=None, via="tests", perm="view_category", obj=category, to=writer.groups.get(name="members"))
    assert client.get(f"/t/{thread.public_id}/").status_code == 404


def test_outside_a_request_every_check_reads_afresh(thread, other_member):
    with CaptureQueriesContext(connection) as captured:
        permissions.can(checks.check_reply, other_member, thread)
        permissions.can(checks.check_reply, other_member, thread)
    assert grant_lookups(captured) >= 2
    with CaptureQueriesContext(connection) as captured, permissions.grants_cached():
        permissions.can(checks.check_reply, other_member, thread)
        permissions.can(checks.check_reply, other_member, thread)
    assert grant_lookups(captured) == 1


def test_forget_grants_makes_the_next_check_read_afresh(thread, category, other_member):
    with permissions.grants_cached():
        assert permissions.can(checks.check_reply, other_member, thread)
        do_revoke_permission(actor=None, via="tests", perm="view_category", obj=category,
                             to=other_member.groups.get(name="members"))
        permissions.forget_grants()
        assert not permissions.can(checks.check_view_thread, other_member, thread)
