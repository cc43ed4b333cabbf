"""A person's private calendar address and the feed behind it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .. import services
from ..calendar import calendar_actions, calendar_for
from ..models import User
from .common import page_with_form


@page_with_form
@login_required
def calendar_settings(request):
    """The person's private calendar address, which they can reset or revoke."""
    if request.method == "POST":
        if request.POST.get("do") == "revoke":
            services.calendar_token_revoke(request.user)
            messages.success(request, "Your calendar address no longer works.")
        elif request.user.calendar_token:
            services.calendar_token_reset(request.user)
            messages.success(
                request, "You have a new calendar address; the old one no longer works."
            )
        else:
            services.calendar_token_reset(request.user)
            messages.success(
                request, "You have a calendar address: add it to your calendar below."
            )
        return redirect("tracker:calendar")
    feed_url = None
    if request.user.calendar_token:
        feed_url = request.build_absolute_uri(
            reverse("tracker:calendar-feed", args=[request.user.calendar_token])
        )
    return render(request, "tracker/calendar.html", {"feed_url": feed_url})


@require_safe
def calendar_feed(request, token):
    """An iCalendar feed of the person's deadlines. The secret in the address is the key."""
    user = (
        User.objects.filter(calendar_token=token, is_active=True)
        .select_related("force")
        .first()
    )
    if user is None:
        raise Http404("This calendar address is not valid any more.")
    body = calendar_for(user, calendar_actions(user), site_url=settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="peel-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
