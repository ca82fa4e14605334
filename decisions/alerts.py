"""Email alerts: follow any listing's search and get its new decisions by email.

- Subscribing asks for nothing but an address and a frequency. Nothing is sent but one
  confirmation email until its signed, expiring link is followed, and the page says the same
  whether or not the address has alerts already.
- A send (``manage.py send_alerts``) has two steps. Prepare: for each alert that is due, in one
  transaction, the archive's one search path (search.results.SearchResults) finds the decisions
  with ids above the alert's ``position`` (the data's own order), the email is written to the
  outbox and the position moves, only if no other sender moved it first. Send: each outbox row is
  claimed by one statement, sent, and marked sent. A run stopped at any moment, or two at once,
  sends each email once and skips no decision; the one window left is between the mail server
  accepting an email and the row being marked, after which the email is sent again once its claim
  is stale (settings.ALERT_CLAIM_SECONDS), with the same Message-ID.
- An address is kept only while it has an alert, and used for nothing else (/about/ says so).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import mail, signing
from django.db import transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from decisions import links, search
from decisions.filters import search_params
from decisions.models import Alert, Decision, OutboxEmail, Subscriber
from decisions.search.names import described
from decisions.search.params import WORDS_LABEL, SearchParams
from decisions.search.results import SearchResults
from decisions.statements.text import split_sentences

MAX_ALERTS_PER_ADDRESS = 20
RECENT_DAYS = 100  # the subscribe form says how many decisions the search matched in this many days
MAX_A_DAY = 50  # a search that averaged more new decisions a day than this is refused
CONFIRMATIONS_PER_ADDRESS = 3  # confirmation emails to one address in CONFIRMATION_WINDOW
CONFIRMATIONS_PER_CLIENT = 10  # confirmation emails asked for from one client address in the window
CONFIRMATION_WINDOW = datetime.timedelta(hours=1)
CONFIRM_WITHIN = datetime.timedelta(days=3)  # a confirmation link lasts this long
PENDING_KEPT = datetime.timedelta(days=7)  # an alert never confirmed is deleted after this
LISTED = 20  # decisions listed in one email; "and N more" links to the rest
SALT = "decisions.alerts.confirm"
# How long after the last send an alert is due again (an hour's slack, so a daily cron at a
# slightly different minute still sends daily).
DUE_AFTER = {
    Alert.Frequency.IMMEDIATE: datetime.timedelta(0),
    Alert.Frequency.DAILY: datetime.timedelta(days=1) - datetime.timedelta(hours=1),
    Alert.Frequency.WEEKLY: datetime.timedelta(days=7) - datetime.timedelta(hours=1),
    Alert.Frequency.MONTHLY: datetime.timedelta(days=30) - datetime.timedelta(hours=1),
}


def alert_params(query: str) -> SearchParams:
    """An alert's search: the listing's parameters, every word required (never best matches), newest first."""
    return read_search(query)[0]


def read_search(query: str) -> tuple[SearchParams, str]:
    """A listing's parameters as an alert's search, and what in them cannot be read ('' when all
    can): an alert follows exactly the search asked for, or none."""
    params, filterset = search_params(QueryDict(query), strict=False)
    params = params.but(match="all", sort="newest")
    if problem := filterset.first_error():
        name, message = problem
        return params, message if name == "q" else f"{name}: {message}"
    if len(links.to(params)) > Alert._meta.get_field("query").max_length:
        return params, "the search is too long to keep"
    return params, ""


def describe(params: SearchParams) -> str:
    """The search in words, as an email's subject and the manage page say it."""
    parts = []
    if params.q:
        parts.append(f"{WORDS_LABEL}: {params.q}")
    for _, label, named in described(params):
        parts.append(f"{label}: {', '.join(str(name) for _, name in named)}")
    return "; ".join(parts) or "Every new decision"


def recent_matches(params: SearchParams, today: datetime.date | None = None) -> int:
    """How many published decisions the search matched, decided in the last RECENT_DAYS days."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=RECENT_DAYS)
    return SearchResults(params.but(date_from=max(since, params.date_from or since))).selection.count


class SubscribeForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your email address")
    frequency = forms.ChoiceField(choices=Alert.Frequency.choices, initial=Alert.Frequency.WEEKLY,
                                  label="How often", widget=forms.RadioSelect)
    search = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


@dataclass
class Subscribed:
    """What a request to subscribe came to (the page says the same for each but ``limited``)."""

    limited: bool = False  # too many requests from this client: said, with when to try again


def subscribe(email: str, frequency: str, params: SearchParams, client_address: str) -> Subscribed:
    """A pending alert and its one confirmation email, written together; nothing else is sent until
    it is confirmed. The email goes out now if it can (else with the next send_alerts run)."""
    since = timezone.now() - CONFIRMATION_WINDOW
    confirmations = OutboxEmail.objects.filter(kind=OutboxEmail.Kind.CONFIRMATION, created_at__gte=since)
    if client_address and confirmations.filter(client_address=client_address).count() >= CONFIRMATIONS_PER_CLIENT:
        return Subscribed(limited=True)
    if confirmations.filter(to_address=email).count() >= CONFIRMATIONS_PER_ADDRESS:
        return Subscribed()  # said the same as a success: no way to learn what an address asked for
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=email)
        query = links.to(params)[1:]
        if subscriber.alerts.count() >= MAX_ALERTS_PER_ADDRESS:
            outbox = _confirmation(subscriber, None, "confirm_full",
                                   {"limit": MAX_ALERTS_PER_ADDRESS, "description": describe(params)},
                                   subject="Your alerts: the most an address can have", client_address=client_address)
        else:
            alert = Alert.objects.create(subscriber=subscriber, query=query, description=describe(params)[:600],
                                         frequency=frequency)
            token = signing.dumps({"alert": alert.pk}, salt=SALT)
            confirm_url = absolute(reverse("decisions:alert_confirm", args=[token]))
            outbox = _confirmation(subscriber, alert, "confirm",
                                   {"alert": alert, "confirm_url": confirm_url, "days": CONFIRM_WITHIN.days},
                                   subject="Confirm your alert for new Ombudsman decisions",
                                   client_address=client_address)
        transaction.on_commit(lambda: send_outbox(only=[outbox.pk]))
    return Subscribed()


def confirm(token: str) -> Alert | None:
    """The alert a confirmation link names, confirmed (from the newest decision on); None when
    the link is forged, expired, or its alert was deleted."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=CONFIRM_WITHIN)["alert"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=pk).select_related("subscriber").first()
        if alert is not None and alert.confirmed_at is None:
            alert.confirmed_at = timezone.now()
            alert.position = search.backend().settled_last_id()
            alert.save(update_fields=["confirmed_at", "position"])
    return alert


def delete_alert(alert: Alert) -> None:
    """An alert gone; with its address's last one, the address too (and its outbox)."""
    with transaction.atomic():
        subscriber = alert.subscriber
        alert.delete()
        if not subscriber.alerts.exists():
            subscriber.delete()


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def _confirmation(subscriber: Subscriber, alert: Alert | None, template: str, context: dict, *, subject: str,
                  client_address: str) -> OutboxEmail:
    """A confirmation email in the outbox, its text and HTML rendered from templates/emails/."""
    context = {**context, "site_url": settings.SITE_URL,
               "manage_url": absolute(reverse("decisions:alert_manage", args=[subscriber.manage_token]))}
    return OutboxEmail.objects.create(
        kind=OutboxEmail.Kind.CONFIRMATION, subscriber=subscriber, alert=alert, to_address=subscriber.email,
        subject=subject[:300], text_body=render_to_string(f"emails/{template}.txt", context),
        html_body=render_to_string(f"emails/{template}.html", context), client_address=client_address[:45])


def is_due(alert: Alert, now: datetime.datetime) -> bool:
    return alert.last_sent_at is None or now - alert.last_sent_at >= DUE_AFTER[alert.frequency]


MANAGE_MARK, UNSUBSCRIBE_MARK = "manage-link-0b6f2c", "unsubscribe-link-0b6f2c"  # filled in for each address


class _Run:
    """One prepare step's work shared between alerts: many follow the same search from the same
    position (a category, an organisation), so each search runs once, each new decision is read
    once, and each distinct email is rendered once, its address's own links filled in after."""

    def __init__(self, top: int):
        self.top = top
        self.params: dict[str, SearchParams] = {}
        self.matched: dict[tuple[str, int], list[int]] = {}
        self.rendered: dict[tuple[str, int], tuple[str, str, str]] = {}
        self.decisions: dict[int, Decision] = {}

    def search(self, query: str) -> SearchParams:
        if query not in self.params:
            self.params[query] = alert_params(query)
        return self.params[query]

    def new(self, query: str, position: int) -> list[int]:
        key = (query, position)
        if key not in self.matched:
            results = SearchResults(self.search(query), after=position)
            self.matched[key] = [pk for pk in results.ids() if pk <= self.top]
        return self.matched[key]

    def shown(self, ids: list[int]) -> list[Decision]:
        missing = [pk for pk in ids if pk not in self.decisions]
        if missing:
            for decision in (Decision.objects.filter(pk__in=missing).select_related("council", "subcategory")
                             .only("reference", "decision_date", "outcome_group", "summary", "council__name",
                                   "subcategory__name")):
                decision.first_sentences = " ".join(split_sentences(decision.summary or "")[:2])
                decision.url = absolute(decision.get_absolute_url())
                self.decisions[decision.pk] = decision
        return [self.decisions[pk] for pk in ids if pk in self.decisions]

    def email(self, alert: Alert, position: int, new: list[int]) -> tuple[str, str, str, dict]:
        """(subject, text, HTML, headers) of the alert's email, with its address's own links."""
        key = (alert.query, position)
        if key not in self.rendered:
            context = {**self.context(alert, new), "site_url": settings.SITE_URL, "manage_url": MANAGE_MARK,
                       "unsubscribe_url": UNSUBSCRIBE_MARK}
            subject = f"{len(new):,} new decision{'s' if len(new) != 1 else ''}: {alert.description}"
            self.rendered[key] = (subject[:300], render_to_string("emails/alert.txt", context),
                                  render_to_string("emails/alert.html", context))
        manage = absolute(reverse("decisions:alert_manage", args=[alert.subscriber.manage_token]))
        unsubscribe = absolute(reverse("decisions:alert_unsubscribe", args=[alert.unsubscribe_token]))
        subject, text, html = self.rendered[key]
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        return (subject, *(body.replace(MANAGE_MARK, manage).replace(UNSUBSCRIBE_MARK, unsubscribe)
                           for body in (text, html)), headers)

    def context(self, alert: Alert, new: list[int]) -> dict:
        params = self.search(alert.query)
        decisions = self.shown(new[:LISTED])
        more = len(new) - len(decisions)
        more_url = ""
        if more:
            dates = [d.decision_date for d in decisions if d.decision_date]
            since = min(dates) if dates else None
            more_url = absolute("/decisions/" + links.to(params.but(match="", date_from=since or params.date_from)))
        return {"alert": alert, "decisions": decisions, "more": more, "more_url": more_url, "count": len(new),
                "listing_url": absolute("/decisions/" + links.to(params.but(match="")))}


def prepare(now: datetime.datetime | None = None) -> int:
    """Write each due alert's email to the outbox, moving its position in the same transaction;
    the number of emails written. Alerts never confirmed are deleted after PENDING_KEPT."""
    now = now or timezone.now()
    for alert in Alert.objects.filter(confirmed_at__isnull=True, created_at__lt=now - PENDING_KEPT
                                      ).select_related("subscriber"):
        delete_alert(alert)
    top = search.backend().settled_last_id()  # no decision below it is still to be committed
    run = _Run(top)
    written = 0
    due = [alert for alert in Alert.objects.filter(confirmed_at__isnull=False, paused=False, position__lt=top)
           .only("pk", "query", "frequency", "last_sent_at", "position") if is_due(alert, now)]
    for candidate in due:
        new = run.new(candidate.query, candidate.position)
        with transaction.atomic():
            alert = (Alert.objects.select_for_update(skip_locked=True).select_related("subscriber")
                     .filter(pk=candidate.pk, confirmed_at__isnull=False, paused=False).first())
            if alert is None or alert.position != candidate.position or not is_due(alert, now):
                continue  # another sender has it, or has done it
            moved = Alert.objects.filter(pk=alert.pk, position=alert.position).update(
                position=top, **({"last_sent_at": now} if new else {}))
            if not moved or not new:
                continue
            subject, text, html, headers = run.email(alert, candidate.position, new)
            OutboxEmail.objects.create(
                kind=OutboxEmail.Kind.ALERT, subscriber=alert.subscriber, alert=alert, to_address=alert.subscriber.email,
                subject=subject, text_body=text, html_body=html, decisions=len(new), headers=headers)
            written += 1
    return written


SEND_BATCH = 50  # outbox rows claimed at once by one statement


def send_outbox(only: list[int] | None = None) -> tuple[int, int]:
    """Send what the outbox holds (or only these rows): rows are claimed a batch at a time by one
    statement, under this run's own mark, so that two senders never send one row; each is marked
    sent as soon as the mail server has it. (sent, failed); a failed email stays for the next run."""
    run = secrets.token_hex(16)
    sent = failed = 0
    connection = None
    done: set[int] = set()
    while True:
        stale = timezone.now() - datetime.timedelta(seconds=settings.ALERT_CLAIM_SECONDS)
        claimable = Q(sent_at__isnull=True) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        rows = OutboxEmail.objects.filter(claimable).exclude(pk__in=done)
        if only is not None:
            rows = rows.filter(pk__in=only)
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:SEND_BATCH])
        if not batch:
            return sent, failed
        done.update(batch)
        OutboxEmail.objects.filter(claimable, pk__in=batch).update(
            claimed_at=timezone.now(), claimed_by=run, attempts=F("attempts") + 1)
        for row in OutboxEmail.objects.filter(pk__in=batch, claimed_by=run, sent_at__isnull=True).order_by("pk"):
            try:
                connection = connection or mail.get_connection()
                message = mail.EmailMultiAlternatives(
                    row.subject, row.text_body, settings.DEFAULT_FROM_EMAIL, [row.to_address], connection=connection,
                    headers={**row.headers,
                             "Message-ID": f"<outbox-{row.pk}.{row.created_at:%Y%m%d%H%M%S}@lgo-archive>"})
                if row.html_body:
                    message.attach_alternative(row.html_body, "text/html")
                message.send()
            except Exception as error:  # noqa: BLE001 - any failure to send leaves the row for the next run
                OutboxEmail.objects.filter(pk=row.pk, claimed_by=run).update(
                    claimed_at=None, claimed_by="", last_error=f"{type(error).__name__}: {error}"[:500])
                failed += 1
                connection = None
                continue
            OutboxEmail.objects.filter(pk=row.pk).update(sent_at=timezone.now(), last_error="")
            sent += 1
