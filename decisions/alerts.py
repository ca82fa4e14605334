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
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import mail, signing
from django.db import transaction
from django.db.models import F, Max, Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from decisions import links
from decisions.filters import InvalidParameter, search_params
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
    params, _ = search_params(QueryDict(query), strict=False)
    return params.but(match="all", sort="newest")


def unreadable(query: str) -> str:
    """What in a listing's parameters cannot be read ('' when all can): an alert follows exactly
    the search asked for, or none."""
    try:
        search_params(QueryDict(query), strict=True)
    except InvalidParameter as error:
        return error.message if error.name == "q" else f"{error.name}: {error.message}"
    return ""


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
            outbox = _write(OutboxEmail.Kind.CONFIRMATION, subscriber, None, "confirm_full",
                            {"limit": MAX_ALERTS_PER_ADDRESS, "description": describe(params)},
                            subject="Your alerts: the most an address can have", client_address=client_address)
        else:
            alert = Alert.objects.create(subscriber=subscriber, query=query, description=describe(params)[:600],
                                         frequency=frequency)
            token = signing.dumps({"alert": alert.pk}, salt=SALT)
            outbox = _write(OutboxEmail.Kind.CONFIRMATION, subscriber, alert, "confirm",
                            {"alert": alert, "confirm_url": absolute(reverse("decisions:alert_confirm", args=[token])),
                             "days": CONFIRM_WITHIN.days},
                            subject="Confirm your alert for new Ombudsman decisions", client_address=client_address)
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
            alert.position = Decision.objects.aggregate(top=Max("pk"))["top"] or 0
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


def _write(kind: str, subscriber: Subscriber, alert: Alert | None, template: str, context: dict, *, subject: str,
           decisions: int = 0, client_address: str = "") -> OutboxEmail:
    """An email in the outbox, its text and HTML rendered from templates/emails/."""
    context = {**context, "site_url": settings.SITE_URL,
               "manage_url": absolute(reverse("decisions:alert_manage", args=[subscriber.manage_token]))}
    headers = {}
    if alert is not None and kind == OutboxEmail.Kind.ALERT:
        unsubscribe = absolute(reverse("decisions:alert_unsubscribe", args=[alert.unsubscribe_token]))
        context["unsubscribe_url"] = unsubscribe
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return OutboxEmail.objects.create(
        kind=kind, subscriber=subscriber, alert=alert, to_address=subscriber.email, subject=subject[:300],
        text_body=render_to_string(f"emails/{template}.txt", context),
        html_body=render_to_string(f"emails/{template}.html", context), headers=headers, decisions=decisions,
        client_address=client_address[:45])


def is_due(alert: Alert, now: datetime.datetime) -> bool:
    return alert.last_sent_at is None or now - alert.last_sent_at >= DUE_AFTER[alert.frequency]


def prepare(now: datetime.datetime | None = None) -> int:
    """Write each due alert's email to the outbox, moving its position in the same transaction;
    the number of emails written. Alerts never confirmed are deleted after PENDING_KEPT."""
    now = now or timezone.now()
    for alert in Alert.objects.filter(confirmed_at__isnull=True, created_at__lt=now - PENDING_KEPT
                                      ).select_related("subscriber"):
        delete_alert(alert)
    top = Decision.objects.aggregate(top=Max("pk"))["top"] or 0
    matched: dict[tuple[str, int], list[int]] = {}  # alerts with the same search and position share it
    written = 0
    due = [alert for alert in Alert.objects.filter(confirmed_at__isnull=False, paused=False, position__lt=top)
           .only("pk", "query", "frequency", "last_sent_at", "position") if is_due(alert, now)]
    for candidate in due:
        key = (candidate.query, candidate.position)
        if key not in matched:
            results = SearchResults(alert_params(candidate.query), after=candidate.position)
            matched[key] = [pk for pk in results.ids() if pk <= top]
        with transaction.atomic():
            alert = (Alert.objects.select_for_update(skip_locked=True).select_related("subscriber")
                     .filter(pk=candidate.pk, confirmed_at__isnull=False, paused=False).first())
            if alert is None or alert.position != candidate.position or not is_due(alert, now):
                continue  # another sender has it, or has done it
            new = matched[key]
            moved = Alert.objects.filter(pk=alert.pk, position=alert.position).update(
                position=top, **({"last_sent_at": now} if new else {}))
            if not moved or not new:
                continue
            _write(OutboxEmail.Kind.ALERT, alert.subscriber, alert, "alert", _alert_context(alert, new),
                   subject=f"{len(new):,} new decision{'s' if len(new) != 1 else ''}: {alert.description}",
                   decisions=len(new))
            written += 1
    return written


def _alert_context(alert: Alert, new: list[int]) -> dict:
    params = alert_params(alert.query)
    shown = Decision.objects.filter(pk__in=new[:LISTED]).select_related("council", "subcategory")
    by_pk = {decision.pk: decision for decision in shown}
    decisions = []
    for pk in new[:LISTED]:
        if decision := by_pk.get(pk):
            decision.first_sentences = " ".join(split_sentences(decision.summary or "")[:2])
            decision.url = absolute(decision.get_absolute_url())
            decisions.append(decision)
    more = len(new) - len(decisions)
    more_url = ""
    if more:
        dates = [d.decision_date for d in decisions if d.decision_date]
        since = min(dates) if dates else None
        more_url = absolute("/decisions/" + links.to(params.but(match="", date_from=since or params.date_from)))
    return {"alert": alert, "decisions": decisions, "more": more, "more_url": more_url, "count": len(new),
            "listing_url": absolute("/decisions/" + links.to(params.but(match="")))}


def send_outbox(only: list[int] | None = None) -> tuple[int, int]:
    """Send what the outbox holds (or only these rows), each claimed by one statement first so that
    two senders never send one row; (sent, failed). A failed email stays for the next run."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.ALERT_CLAIM_SECONDS)
    claimable = Q(sent_at__isnull=True) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
    rows = OutboxEmail.objects.filter(claimable)
    if only is not None:
        rows = rows.filter(pk__in=only)
    sent = failed = 0
    connection = None
    for pk in rows.order_by("pk").values_list("pk", flat=True):
        if not OutboxEmail.objects.filter(claimable, pk=pk).update(claimed_at=timezone.now(),
                                                                  attempts=F("attempts") + 1):
            continue  # another sender claimed it first
        row = OutboxEmail.objects.filter(pk=pk).first()
        if row is None:
            continue  # its address unsubscribed meanwhile
        try:
            connection = connection or mail.get_connection()
            message = mail.EmailMultiAlternatives(
                row.subject, row.text_body, settings.DEFAULT_FROM_EMAIL, [row.to_address], connection=connection,
                headers={**row.headers, "Message-ID": f"<outbox-{row.pk}.{row.created_at:%Y%m%d%H%M%S}@lgo-archive>"})
            if row.html_body:
                message.attach_alternative(row.html_body, "text/html")
            message.send()
        except Exception as error:  # noqa: BLE001 - any failure to send leaves the row for the next run
            OutboxEmail.objects.filter(pk=pk).update(claimed_at=None, last_error=f"{type(error).__name__}: {error}"[:500])
            failed += 1
            connection = None
            continue
        OutboxEmail.objects.filter(pk=pk).update(sent_at=timezone.now(), last_error="")
        sent += 1
    return sent, failed
