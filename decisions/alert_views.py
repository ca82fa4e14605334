"""The pages of email alerts: subscribe, confirm, manage, unsubscribe (the work is in decisions/alerts.py)."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from decisions import alerts, links
from decisions.models import Alert, Subscriber


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """'Email me new decisions like these', for the listing whose parameters this page was given."""
    if request.method == "POST":
        form = alerts.SubscribeForm(request.POST)
        query = request.POST.get("search", "")
    else:
        query = request.GET.urlencode()
        form = alerts.SubscribeForm(initial={"search": query})
    params, problem = alerts.read_search(query)
    if problem:  # never widened to every decision by leaving out what could not be read
        return render(request, "alerts/subscribe.html", {"problem": problem})
    recent = alerts.recent_matches(params)
    too_many = recent > alerts.MAX_A_DAY * alerts.RECENT_DAYS
    if request.method == "POST" and form.is_valid() and not too_many:
        outcome = alerts.subscribe(form.cleaned_data["email"], form.cleaned_data["frequency"], params,
                                   (get_client_ip_address(request) or "")[:45])
        if outcome.limited:
            return render(request, "alerts/limited.html", {"window_minutes": alerts.CONFIRMATION_WINDOW.seconds // 60},
                          status=429)
        return redirect(reverse("decisions:alert_sent"))
    return render(request, "alerts/subscribe.html", {
        "form": form, "description": alerts.describe(params), "recent": recent, "days": alerts.RECENT_DAYS,
        "too_many": too_many, "most_a_day": alerts.MAX_A_DAY,
        "has_words": bool(params.q),
        "listing_url": "/decisions/" + links.to(params.but(match="", sort="")),
    })


@require_safe
def sent(request):
    """The same answer whoever asked: no way to learn whether an address has alerts."""
    return render(request, "alerts/sent.html", {"days": alerts.CONFIRM_WITHIN.days})


@require_safe
def confirm(request, token: str):
    alert = alerts.confirm(token)
    if alert is None:
        return render(request, "alerts/invalid.html", {"days": alerts.CONFIRM_WITHIN.days}, status=400)
    return render(request, "alerts/confirmed.html", {
        "alert": alert, "manage_url": reverse("decisions:alert_manage", args=[alert.subscriber.manage_token])})


class ManageForm(forms.Form):
    """One change to an address's alerts, from its manage page."""

    action = forms.ChoiceField(choices=[("frequency", ""), ("pause", ""), ("resume", ""), ("delete", ""),
                                        ("delete_all", "")])
    alert = forms.IntegerField(required=False)
    frequency = forms.ChoiceField(choices=Alert.Frequency.choices, required=False)


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token: str):
    """Every alert of one address, by its secret link: change how often, pause, delete one or all."""
    subscriber = Subscriber.objects.filter(manage_token=token).first()
    if subscriber is None:
        return render(request, "alerts/invalid.html", {"manage": True}, status=404)
    if request.method == "POST":
        form = ManageForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            if action == "delete_all":
                subscriber.delete()
                return render(request, "alerts/unsubscribed.html", {"everything": True})
            alert = subscriber.alerts.filter(pk=form.cleaned_data["alert"]).first()
            if alert is None:
                raise Http404("No such alert")
            if action == "delete":
                alerts.delete_alert(alert)
                if not Subscriber.objects.filter(pk=subscriber.pk).exists():
                    return render(request, "alerts/unsubscribed.html", {"everything": True})
            elif action in ("pause", "resume"):
                Alert.objects.filter(pk=alert.pk).update(paused=action == "pause")
            elif form.cleaned_data["frequency"]:
                Alert.objects.filter(pk=alert.pk).update(frequency=form.cleaned_data["frequency"])
            return redirect(request.path)
    return render(request, "alerts/manage.html", {
        "subscriber": subscriber, "alerts": subscriber.alerts.order_by("created_at"),
        "frequencies": Alert.Frequency.choices})


@csrf_exempt  # RFC 8058: a mail provider's one-click POST carries no CSRF token; the secret link is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """Stop one alert: a page with a button, or the one-click POST a mail provider makes (RFC 8058)."""
    alert = Alert.objects.filter(unsubscribe_token=token).select_related("subscriber").first()
    if request.method == "POST":
        if alert is not None:
            alerts.delete_alert(alert)
        return render(request, "alerts/unsubscribed.html", {"everything": False})
    if alert is None:
        return render(request, "alerts/invalid.html", {"unsubscribe": True}, status=404)
    return render(request, "alerts/unsubscribe.html", {"alert": alert})
