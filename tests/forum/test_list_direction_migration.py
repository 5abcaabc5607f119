"""Migration 0016: posts and messages rendered before a list took one direction are
brought to what the sanitiser writes now (issue 16, item 7)."""

import importlib

from django.apps import apps

from forum.models import Post
from forum.sanitiser import render_markdown

migration = importlib.import_module("forum.migrations.0016_lists_take_one_direction")
BEFORE = '<ul>\n<li dir="auto">حماية الناجيات</li>\n<li dir="auto">access to justice</li>\n</ul>'


def test_an_old_list_takes_one_direction_as_a_new_one_does():
    assert migration._one_direction(BEFORE) == render_markdown("- حماية الناجيات\n- access to justice").rstrip("\n")
    numbered = '<ol start="3">\n<li dir="auto">x</li>\n</ol>'
    assert migration._one_direction(numbered) == '<ol start="3" dir="auto">\n<li>x</li>\n</ol>'


def test_stored_posts_are_rewritten_and_others_left_alone(thread, other_member):
    from forum.services.content import reply

    a_reply = reply(author=other_member, thread=thread, body="- one\n- two")
    Post.objects.filter(pk=a_reply.pk).update(body_html=BEFORE)
    opening = thread.posts.exclude(pk=a_reply.pk).first()
    untouched = opening.body_html
    migration.forward(apps, None)
    a_reply.refresh_from_db()
    opening.refresh_from_db()
    assert a_reply.body_html.startswith('<ul dir="auto">') and '<li dir="auto">' not in a_reply.body_html
    assert opening.body_html == untouched
