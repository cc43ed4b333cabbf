"""The "my reminders" page: what a person will be reminded of and when, and their choices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from .. import services
from ..forms import ReminderPreferenceForm
from ..models import Reminder, ReminderPreference
from ..reminders.plan import reminder_plan
from ..selectors import visible_actions, visible_findings
from .common import page_with_form


@login_required
@page_with_form
def my_reminders(request):
    user = request.user
    preference = ReminderPreference.objects.filter(
        user=user
    ).first() or ReminderPreference(user=user)
    form = ReminderPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.reminder_preferences_update(user, **form.cleaned_data)
        messages.success(request, "Your reminder choices are saved.")
        return redirect("tracker:my-reminders")
    today = timezone.localdate()
    context = {
        "form": form,
        "preference": preference,
        "today": today,
        "paused": preference.is_paused_on(today),
        "plans": reminder_plan(user, today),
        # Items about work they may no longer see are cancelled, not sent.
        "waiting": Reminder.objects.filter(
            Q(action__in=visible_actions(user)) | Q(finding__in=visible_findings(user)),
            recipient=user,
            status=Reminder.Status.PENDING,
        ).count(),
    }
    return render(request, "tracker/my_reminders.html", context)
