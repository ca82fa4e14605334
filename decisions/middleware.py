"""Site-wide protections: a Content-Security-Policy, hostile input refused early, and a clear 503
when the database is away. (Admin sign-in lockout is django-axes': see settings.)"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """Django 5.2 has no CSP of its own (6.0 adds one): set the header from settings."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class HostileInputMiddleware:
    """Input no page can use, refused before it reaches a view or the database.

    A NUL byte cannot be stored in or compared with PostgreSQL text (it raises an error, a 500):
    in the path the page cannot exist (404); in the query string it is a bad request (400). The
    static files' manifest (staticfiles.json) is the build's inventory, not a page: 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.manifest_path = "/" + settings.STATIC_URL.strip("/") + "/staticfiles.json"

    def __call__(self, request):
        if "\x00" in request.path or request.path == self.manifest_path:
            raise Http404("No such page")
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
                "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest("The address holds a NUL character, which no parameter can use.\n",
                                          content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached gives visitors a 503 page, not a 500 or a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError) or (
            isinstance(exception, DatabaseError) and "connect" in str(exception).lower()
        ):
            logger.error("database unavailable: %s", exception)
            return unavailable_response()
        return None
