"""The "my reminders" page: what a person will be reminded of and when, and their choices."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .models import Reminder, ReminderPreference
from .sweep import reminder_plan


class ReminderPreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["digest", "weekly_on", "paused_until"]
        labels = {"digest": "How often", "weekly_on": "Day of the weekly digest"}
        help_texts = {
            "weekly_on": "For the weekly digest. On a bank holiday it comes the next working day.",
        }
        widgets = {
            "digest": forms.RadioSelect,
            "paused_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_paused_until(self):
        paused_until = self.cleaned_data["paused_until"]
        if paused_until and paused_until < timezone.localdate():
            raise forms.ValidationError(
                "That date has passed. Leave it empty if you are not on leave."
            )
        return paused_until


@login_required
@require_http_methods(["GET", "POST"])
def my_reminders(request):
    user = request.user
    preference = ReminderPreference.objects.filter(
        user=user
    ).first() or ReminderPreference(user=user)
    form = ReminderPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your reminder choices are saved.")
        return redirect("tracker:my-reminders")
    today = timezone.localdate()
    context = {
        "form": form,
        "preference": preference,
        "today": today,
        "paused": preference.is_paused_on(today),
        "plans": reminder_plan(user, today),
        "waiting": Reminder.objects.filter(
            recipient=user, status=Reminder.Status.PENDING
        ).count(),
    }
    return render(request, "tracker/my_reminders.html", context)
