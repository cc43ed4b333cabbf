from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from . import services
from .emails import link_lifetime, send_welcomes
from .forms import IdChoiceField, IdMultipleChoiceField
from .models import (
    Action,
    DeadlineChangeRequest,
    Evidence,
    Finding,
    FindingEvent,
    Force,
    Inspection,
    Notification,
    Paper,
    ProgressUpdate,
    Question,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
    Theme,
    User,
    Webhook,
    WebhookDelivery,
)
from .notifications.delivery import send_again as notifications_send_again
from .permissions import may_change_account, may_manage_people
from .reminders.outbox import send_again
from .selectors import force_people
from .tasks import queue_digests, queue_notifications


class _HistoryWords(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        # simple_history calls an empty person "Deleted user (pk=None)".
        if isinstance(value, DeletedObject) and value.pk is None:
            return "not assigned"
        return super().prepare_delta_change_value(change, value)


class HistoryToRead(SimpleHistoryAdmin):
    """The change history is a record to read: reverting to an old version would
    skip the rules and the version check that every change goes through."""

    def get_historical_record_context_helper(self, request, historical_record):
        return _HistoryWords(self.model, historical_record)

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class UserAddForm(AdminUserCreationForm):
    """Adding a person: checked by services.user_check, as the commands' additions are.

    Without a password, they are emailed a welcome whose link sets one.
    """

    # Where the admin shows a refusal of the service's, by what it is about.
    field_of_refusal = {"password": "password2"}

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["email", "role", "force"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usable_password"].help_text = (
            "Disabled: they are emailed a link to set their own password. "
            "Enabled: you set it here, and no email is sent."
        )

    def _post_clean(self):
        # In place of the model's validation and the password validators: the
        # service checks the whole person, as it does for the commands.
        data = self.cleaned_data
        if not {"email", "role", "force"} <= data.keys():
            return
        password = None
        if data.get("set_usable_password") and not (
            {"password1", "password2"} & self.errors.keys()
        ):
            password = data.get("password1")
        try:
            self.instance = services.user_check(
                email=data["email"],
                role=data["role"],
                force=data["force"],
                password=password,
            )
        except ValidationError as error:
            for about, errors in error.error_dict.items():
                field = self.field_of_refusal.get(about, about)
                self.add_error(field if field in self.fields else None, errors)

    def password(self) -> str | None:
        """The password chosen, or None for the welcome email's link to set one."""
        if self.cleaned_data["set_usable_password"]:
            return self.cleaned_data["password1"]
        return None


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserAddForm
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "role",
        "force",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "is_active", "force"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["force"]
    # Plain lists rather than Django's two-list picker, whose search box carries
    # a label axe refuses; the sign-in dates are the system's, shown, not typed.
    filter_horizontal = ()
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name"]}),
        ("Role", {"fields": ["role", "force"]}),
        (
            "Access",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "role",
                    "force",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    # What decides what a person sees and may do; see permissions.may_manage_people.
    people_fields = [
        "role",
        "force",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
    ]

    def has_add_permission(self, request):
        # A new person needs a role and a force, which only an administrator gives.
        return may_manage_people(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None or may_manage_people(request.user):
            return super().get_readonly_fields(request, obj)
        return [*super().get_readonly_fields(request, obj), *self.people_fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or may_manage_people(request.user):
            return fieldsets
        note = (
            "Only an administrator changes a person's role or force, or their access."
        )
        return [
            (name, {**options, "description": note} if name == "Role" else options)
            for name, options in fieldsets
        ]

    def add_view(self, request, form_url="", extra_context=None):
        response = super().add_view(request, form_url, extra_context)
        # Sent once the account is saved (add_view's transaction has committed),
        # as the commands send theirs.
        person = getattr(request, "welcome_to", None)
        if person is not None:
            self.welcome(request, person)
        return response

    def welcome(self, request, person):
        failed = send_welcomes([person])
        if person in failed:
            self.message_user(
                request,
                f"{person.email} was added, but the welcome email could not be sent "
                f"({failed[person]}). The account is kept: "
                f"`manage.py add_user {person.email} --resend` makes a new link and "
                "sends it.",
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                f"A welcome email was sent to {person.email}: its link sets their "
                f"password, once, within {link_lifetime()}.",
                messages.SUCCESS,
            )

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        return form.instance  # checked and unsaved: save_model adds it

    def save_related(self, request, form, formsets, change):
        if change:  # the add form has no groups or permissions to save
            super().save_related(request, form, formsets, change)

    def save_model(self, request, obj, form, change):
        if not change:
            # The one way a person is added, the commands' too.
            added = services.user_create(
                email=obj.email,
                role=obj.role,
                force=obj.force,
                password=form.password(),
            )
            obj.pk = added.pk
            obj.refresh_from_db()
            if not added.has_usable_password():
                request.welcome_to = added
            return
        if {"force", "role"} & set(form.changed_data):
            was = User.objects.select_related("force").get(pk=obj.pk)
            ended = services.user_change_force(
                request.user, obj, force=obj.force, role=obj.role
            )
            if ended:
                self.message_user(
                    request,
                    f"{obj} no longer owns or helps with {len(ended)} open "
                    f"action{'s' if len(ended) != 1 else ''} of {was.force}: "
                    "their force lead reassigns them.",
                    messages.WARNING,
                )
        super().save_model(request, obj, form, change)


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin):
    # Its own networks for webhooks are set here by administrators, not by its leads.
    list_display = ["name", "short_name", "code", "kind", "inspector_contact"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]
    prepopulated_fields = {"slug": ["short_name"]}
    list_select_related = ["inspector_contact"]


class QuestionInline(admin.StackedInline):
    # Stacked: each box has its own label (a tabular inline's have only the column's).
    model = Question
    extra = 0
    fields = ["order", "text", "grade", "is_overall"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "force",
        "programme",
        "pillar",
        "published_on",
        "overall_grade",
    ]
    list_filter = ["programme", "pillar", "overall_grade", "force"]
    search_fields = ["title", "force__name", "source_reference"]
    date_hierarchy = "published_on"
    list_select_related = ["force"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        # Its findings and actions carry its force: moving it would move them
        # to another force's people without their owners and leads knowing.
        return ["force"] if obj else []


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "inspection", "order", "grade", "is_overall"]
    list_filter = ["grade", "inspection__programme"]
    search_fields = ["text", "inspection__title"]
    list_select_related = ["inspection__force"]

    def get_readonly_fields(self, request, obj=None):
        return ["inspection"] if obj else []


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class FindingEventInline(admin.TabularInline):
    model = FindingEvent
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "kind",
        "occurred_on",
        "published_status",
        "from_status",
        "to_status",
        "author",
        "text",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # Status moves go through the services, which check the rules.
        return False


@admin.register(Finding)
class FindingAdmin(HistoryToRead):
    list_display = ["reference", "kind", "status", "inspection", "force"]
    list_filter = ["kind", "status", "inspection__programme", "themes", "force"]
    search_fields = ["reference", "text"]
    list_select_related = ["inspection__force", "force"]
    raw_id_fields = ["inspection", "question", "parent", "superseded_by"]

    # Ticked boxes rather than Django's two-list picker, whose search box has a
    # label axe refuses (aria-label on a span); a finding has few themes.
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "themes":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    inlines = [FindingEventInline]

    def get_readonly_fields(self, request, obj=None):
        # Status moves are the workflow's; the words, the question and the
        # cause a finding sits under are the report's, changed by importing
        # its revision. Saved from a form opened earlier, they would undo either.
        workflow = ["status", "status_changed_at", "superseded_by"]
        if obj is None:
            return workflow
        return ["inspection", "question", "parent", "text", *workflow]


@admin.register(FindingEvent)
class FindingEventAdmin(admin.ModelAdmin):
    list_display = ["finding", "kind", "to_status", "author", "created_at"]
    list_filter = ["kind"]
    search_fields = ["finding__reference", "text"]
    list_select_related = ["finding", "author"]

    # The published timeline is a record: nobody edits or removes an entry.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    fields = ["original_name", "link", "content_type", "size", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ActionAdminForm(forms.ModelForm):
    """The fields an administrator may correct, checked by the services like the pages."""

    # The version this page was loaded at: a save from an older page is refused.
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    user = None  # set per request by ActionAdmin.get_form

    class Meta:
        model = Action
        fields = ["title", "description", "owner", "contributors", "deadline", "order"]
        # A value no id can be is refused before SQLite is asked (OverflowError).
        field_classes = {
            "owner": IdChoiceField,
            "contributors": IdMultipleChoiceField,
        }
        # The force's people as ticked boxes (see FindingAdmin.themes).
        widgets = {"contributors": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        action = self.instance
        self.fields["expected_version"].initial = action.version
        people = force_people(action.force_id)
        self.fields["owner"].queryset = people
        self.fields["contributors"].queryset = people

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.action_admin_check(
                self.user,
                self.instance,
                expected_version=cleaned["expected_version"],
                owner=cleaned.get("owner"),
                contributors=cleaned.get("contributors") or [],
                # Read-only, so not posted, when the inspectorate set it.
                deadline=cleaned.get("deadline", self.instance.deadline),
            )
        except services.ConflictError as error:
            # The form shows what this page posted, not what is saved now.
            raise ValidationError(
                [error.message, "Open the action again to see its current version."]
            ) from None
        except services.WorkflowError as error:
            raise ValidationError(error.message) from None
        except PermissionDenied as error:
            raise ValidationError(str(error)) from None
        return cleaned


@admin.register(Action)
class ActionAdmin(HistoryToRead):
    form = ActionAdminForm
    list_display = [
        "title",
        "force",
        "finding",
        "owner",
        "deadline",
        "status",
        "percent_complete",
    ]
    list_filter = ["status", "deadline_set_by", "finding__kind", "force"]
    search_fields = ["title", "description", "finding__reference", "owner__email"]
    date_hierarchy = "deadline"
    list_select_related = ["force", "finding", "owner"]
    # Where the action sits (and so its force), its status and progress, and who
    # set its deadline are the workflow's: they change on the app's pages.
    readonly_fields = [
        "inspection",
        "finding",
        "parent",
        "deadline_wording",
        "deadline_set_by",
        "status",
        "status_changed_at",
        "percent_complete",
        "last_progress_at",
        "version",
    ]

    def has_add_permission(self, request):
        # Force leads add actions on the finding's page; inspectors by importing.
        return False

    def get_readonly_fields(self, request, obj=None):
        # An inspectorate deadline moves only by an approved change request: shown
        # as a date box, the admin's calendar links would seem to change it.
        if obj and obj.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE:
            return [*self.readonly_fields, "deadline"]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        # Read-only, the deadline would come last; it belongs with who does the work.
        fields = [f for f in super().get_fields(request, obj) if f != "deadline"]
        fields.insert(fields.index("contributors") + 1, "deadline")
        return fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.action_admin_update(
            request.user,
            obj,
            expected_version=data["expected_version"],
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            contributors=data["contributors"],
            # Not on the form when the inspectorate set it: it stays as it is.
            deadline=data.get("deadline", obj.deadline),
            order=data["order"],
        )
        obj.unchanged = saved.version == data["expected_version"]

    def save_related(self, request, form, formsets, change):
        pass  # the service set the contributors; there are no inlines

    def response_change(self, request, obj):
        if not getattr(obj, "unchanged", False):
            return super().response_change(request, obj)
        self.message_user(
            request,
            f"No changes were made to “{obj}”: nothing was saved.",
            messages.INFO,
        )
        if "_continue" in request.POST:
            return redirect(request.get_full_path())
        return self.response_post_save_change(request, obj)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = [
        "action",
        "kind",
        "author",
        "to_status",
        "percent_complete",
        "created_at",
    ]
    list_filter = ["kind", "to_status"]
    search_fields = ["text", "action__title"]
    list_select_related = ["action", "author"]
    inlines = [EvidenceInline]

    # Append-only: the timeline is a record, not a document to edit.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "update", "content_type", "size", "created_at"]
    search_fields = ["original_name", "link"]
    list_select_related = ["update__action"]

    # Part of the progress update it was recorded with, which is append-only.
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Deadline reminders ------------------------------------------------------------------


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    """One row: the list page opens it, and it can be neither added twice nor deleted."""

    fieldsets = [
        ("Before a deadline", {"fields": ["days_before"]}),
        (
            "After a deadline",
            {
                "fields": [
                    "overdue_repeat_days",
                    "escalate_to_lead_after_days",
                    "escalate_to_inspector_after_days",
                ]
            },
        ),
        (
            "Waiting and silence",
            {
                "fields": [
                    "sign_off_wait_working_days",
                    "closure_wait_working_days",
                    "nudge_after_days",
                ]
            },
        ),
        ("“My reminders” page", {"fields": ["schedule_overdue_weeks"]}),
        ("Runs", {"fields": ["last_swept_on", "updated_at"]}),
    ]
    readonly_fields = ["last_swept_on", "updated_at"]

    def changelist_view(self, request, extra_context=None):
        policy = ReminderPolicy.load()
        return redirect("admin:tracker_reminderpolicy_change", policy.pk)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The outbox: what was due for whom, and whether it went."""

    list_display = [
        "due_on",
        "recipient",
        "kind_label",
        "action",
        "finding",
        "deadline_key",
        "status",
        "attempts",
        "maybe_delivered",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "maybe_delivered", "refused", "kind", "due_on"]
    search_fields = ["recipient__email", "action__title", "finding__reference"]
    date_hierarchy = "due_on"
    list_select_related = ["recipient", "action", "finding"]
    readonly_fields = [field.name for field in Reminder._meta.fields]
    actions = ["send_failed_again"]

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, obj):
        return obj.kind_label

    # Rows are written by the sweep and the sending task only; a deleted row
    # would be recorded, and sent, again by the next sweep.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected failed reminders again")
    def send_failed_again(self, request, queryset):
        ids = list(
            queryset.filter(status=Reminder.Status.FAILED).values_list("pk", flat=True)
        )
        if not ids:
            self.message_user(
                request, "None of the selected reminders has failed.", messages.WARNING
            )
            return
        maybe = Reminder.objects.filter(pk__in=ids, maybe_delivered=True).count()
        requeued = send_again(ids)
        if not requeued:
            self.message_user(
                request,
                "The mail server does not answer: the reminders stay failed. Try again later.",
                messages.ERROR,
            )
            return
        recipients = list(
            Reminder.objects.filter(pk__in=ids, status=Reminder.Status.PENDING)
            .values_list("recipient_id", flat=True)
            .distinct()
        )
        today = timezone.localdate()
        # Queued after commit. If Redis is down this gives up within a second and
        # the items wait, pending, for the next sweep: the page still answers.
        transaction.on_commit(lambda: queue_digests(recipients, today))
        self.message_user(
            request,
            f"{requeued} reminder{'s' if requeued != 1 else ''} will be sent again, "
            "now or, if the task queue is down, with the next sweep."
            + (
                f" {maybe} of them may have reached the mail server already: "
                "their recipients may get them twice."
                if maybe
                else ""
            ),
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Event notifications as an outbox: who was told what, and whether the email went."""

    list_display = [
        "created_at",
        "recipient",
        "kind_label",
        "summary",
        "status",
        "attempts",
        "maybe_delivered",
        "last_error",
        "sent_at",
        "read_at",
    ]
    list_filter = ["status", "kind", "maybe_delivered", "refused"]
    search_fields = ["recipient__email", "summary"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["send_failed_again"]

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, obj):
        return obj.kind_label

    # Written by the services and the sending task only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected failed notifications again")
    def send_failed_again(self, request, queryset):
        failed = queryset.filter(status=Notification.Status.FAILED)
        recipients = list(failed.values_list("recipient_id", flat=True).distinct())
        maybe = failed.filter(maybe_delivered=True).count()
        count = notifications_send_again(failed)
        if not count:
            self.message_user(
                request,
                "None of the selected notifications has failed.",
                messages.WARNING,
            )
            return
        transaction.on_commit(lambda: queue_notifications(recipients))
        self.message_user(
            request,
            f"{count} notification{'s' if count != 1 else ''} will be sent again, "
            "now or, if the task queue is down, with the next catch-up."
            + (
                f" {maybe} may have reached the person already: they may get it twice."
                if maybe
                else ""
            ),
            messages.SUCCESS,
        )


class ReminderPreferenceAdminForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["user", "digest", "weekly_on", "paused_until"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not self.errors:
            defaults = ReminderPreference()
            # Nobody needs a row for these, and the service saves none for them.
            if all(
                cleaned.get(name) == getattr(defaults, name)
                for name in ("digest", "weekly_on", "paused_until")
            ):
                raise ValidationError(
                    "These are everyone's defaults (a digest every working day, "
                    "no leave): nothing to save. Choose a weekly digest, another "
                    "day or a leave date to save a preference."
                )
        return cleaned


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    form = ReminderPreferenceAdminForm
    list_display = ["user", "digest", "weekly_on", "paused_until"]
    list_filter = ["digest", "weekly_on"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        saved = services.reminder_preferences_update(
            obj.user,
            digest=obj.digest,
            weekly_on=obj.weekly_on,
            paused_until=obj.paused_until,
        )
        obj.pk = saved.pk


@admin.register(DeadlineChangeRequest)
class DeadlineChangeRequestAdmin(admin.ModelAdmin):
    list_display = [
        "action",
        "current_deadline",
        "new_deadline",
        "status",
        "requested_by",
        "decided_by",
    ]
    list_filter = ["status"]
    search_fields = ["action__title", "reason"]
    list_select_related = ["action", "requested_by", "decided_by"]
    # Requests are decided on the action page, where the deadline moves with them.
    readonly_fields = [f.name for f in DeadlineChangeRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BeatTaskAdmin(PeriodicTaskAdmin):
    """Celery beat's schedules, with a moment typed in one labelled box
    ("2026-12-03 08:00") rather than Django's split date and time boxes, which
    have no label of their own."""

    formfield_overrides = {
        models.DateTimeField: {
            "widget": forms.DateTimeInput(attrs={"class": "vTextField"}),
        }
    }


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, BeatTaskAdmin)


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    """Who made which pack, for which force and period: a record, read only."""

    list_display = [
        "kind",
        "force",
        "inspection",
        "period_start",
        "period_end",
        "format",
        "made_by",
        "made_at",
    ]
    list_filter = ["kind", "format", "force"]
    list_select_related = ["force", "inspection", "made_by"]
    date_hierarchy = "made_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    # Made and changed on their pages (through the services) and by the sending task.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Webhook)
class WebhookAdmin(_ReadOnlyAdmin):
    """Webhooks, to look at; their leads change them on the webhooks page."""

    list_display = ["name", "force", "url", "paused_at", "created_by", "created_at"]
    list_filter = ["force"]
    search_fields = ["name", "url"]
    # The secret signs the force's events: not shown here.
    fields = ["name", "force", "url", "kinds", "paused_at", "created_by", "created_at"]
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnlyAdmin):
    """Webhook events as an outbox: what went where, and whether it was taken."""

    list_display = [
        "created_at",
        "webhook",
        "kind",
        "summary",
        "status",
        "attempts",
        "response_status",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "kind", "refused"]
    search_fields = ["summary", "webhook__name"]
    date_hierarchy = "created_at"
    list_select_related = ["webhook"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
