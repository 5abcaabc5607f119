from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from forum.selectors.content import visible_categories
from realtime.selectors import visible_rooms
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
        "categories": visible_categories(request.user).only("slug", "name"),
        "rooms": visible_rooms(request.user).only("slug", "name"),
        "query_string": _without_page(request.GET),
    })


def _without_page(get) -> str:
    query = get.copy()
    query.pop("page", None)
    return query.urlencode()
