"""Pages of the project itself: the home page (both apps meet here) and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@login_required
def home(request):
    return render(request, "home.html", {})


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # the check's whole purpose is to report any database failure
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok"})
