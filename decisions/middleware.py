"""Site-wide protections: a Content-Security-Policy, hostile input refused early, and a clear 503
when the database is away. (Admin sign-in lockout is django-axes': see settings.)"""

from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import reverse

from decisions import search
from decisions.models import SignInAttempts

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


def bounded_database_work(seconds: float):
    """No statement run inside may hold the database longer than ``seconds`` (PostgreSQL's
    statement_timeout, left on the connection; on SQLite a progress handler). Such a statement
    fails with an OperationalError that is_too_broad() recognises."""
    return search.backend().bounded_statements(seconds)


def _bound_web_connection(sender, connection, **kwargs):
    if seconds := getattr(settings, "DATABASE_REQUEST_SECONDS", 0):
        search.backend().bound_new_connection(connection, seconds)


def is_too_broad(error: BaseException) -> bool:
    """Whether a database error is a statement stopped by bounded_database_work."""
    return isinstance(error, OperationalError) and search.backend().was_stopped_at_the_bound(error)


class BoundedDatabaseWorkMiddleware:
    """Every request's database work is bounded (settings.DATABASE_REQUEST_SECONDS), so no request
    can hold the database, however it was asked: a statement past the bound is stopped and the
    page says the request was too broad. Management commands (imports, harvests, migrations)
    never pass through here and are not bounded."""

    def __init__(self, get_response):
        self.get_response = get_response
        # PostgreSQL: each connection a web process opens gets its statement_timeout as it opens
        # (no statement per request). Only processes that serve requests load middleware.
        connection_created.connect(_bound_web_connection, dispatch_uid="bound-web-connections")

    def __call__(self, request):
        seconds = getattr(settings, "DATABASE_REQUEST_SECONDS", 0)
        if not seconds:
            return self.get_response(request)
        with search.backend().bounded_request(seconds):  # SQLite: a progress handler for this request
            return self.get_response(request)

    def process_exception(self, request, exception):
        if is_too_broad(exception):
            logger.warning("request stopped at the database bound: %s", request.get_full_path()[:300])
            response = HttpResponse(render_to_string("too_broad.html", {"request": request}), status=503)
            response["Retry-After"] = "5"
            return response
        return None


class SignInGateMiddleware:
    """Admin sign-in: each attempt is counted for its username and address before the password is
    checked (SignInAttempts.counted, one atomic statement), and one past LOGIN_FAILURE_LIMIT in the
    window is refused at once with 429. django-axes locks after the failures it records, but it
    checks the lock before the password and records after, so guesses sent at the same moment all
    got checked; here at most the limit are, however many arrive together, and none waits on another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == reverse("admin:login"):
            username = request.POST.get("username", "")[:150]
            address = (get_client_ip_address(request) or "")[:45]
            request.sign_in_key = (username, address)
            if SignInAttempts.counted(username, address, window_seconds=settings.LOGIN_LOCKOUT_SECONDS) > \
                    settings.LOGIN_FAILURE_LIMIT:
                return HttpResponse("Too many sign-in attempts for this username from this address: try again later.\n",
                                    status=429, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="sign-in-success-gives-back")
def _give_back_attempt(sender, request, user, **kwargs):
    if key := getattr(request, "sign_in_key", None):
        SignInAttempts.given_back(*key)
