"""`{% load times %}` … `{{ post.created_at|when }}`: a moment as every page writes it (forum/times.py).

`{{ moment|when:"full" }}` writes the date even within the week: where a date is meant ("Since
3 Dec 2026, 14:00"), or in a file read later (the export), where "3 hours ago" would soon be
wrong. A date stays a date in the browser (static/js/time.js).
"""

from django import template

from forum.times import time_element

register = template.Library()


@register.filter
def when(moment, style=""):
    return time_element(moment, relative_allowed=style != "full")
