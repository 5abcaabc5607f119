from django.contrib.auth.decorators import login_required
from django.db.models.expressions import RawSQL
from django.shortcuts import render
from django.views.decorators.http import require_GET

from forum import permissions
from forum.models import Category
from realtime.models import Room
from realtime.selectors import visible_room_ids_sql
from search.forms import SearchForm
from search.results import author_id, search_page


@login_required
@require_GET
def search(request):
    """GET /search/?q=…: works without JavaScript; a query that finds nothing says so."""
    form = SearchForm(request.GET if request.GET else None)
    results = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        author = author_id(data["author"]) if data["author"] else None
        results = search_page(request.user, data["q"], form.filters(author), data["page"] or 1)
    return render(request, "search/results.html", {
        "form": form, "results": results,
        # The places of the "in" choice, by the same rule as the search's own (and as fast).
        "categories": Category.objects.filter(pk__in=RawSQL(*permissions.ids_sql(request.user, Category)))
        .only("slug", "name"),
        "rooms": Room.objects.filter(pk__in=RawSQL(*visible_room_ids_sql(request.user)))
        .only("slug", "name").order_by("name", "slug"),
        "query_string": _without_page(request.GET),
    })


def _without_page(get) -> str:
    query = get.copy()
    query.pop("page", None)
    return query.urlencode()
