from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from . import sweep
from .models import (
    Action,
    DeadlineChangeRequest,
    Evidence,
    Finding,
    FindingEvent,
    Force,
    Inspection,
    ProgressUpdate,
    Question,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
    Theme,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
                "fields": ["email", "role", "force", "password1", "password2"],
            },
        ),
    ]


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "inspector_contact"]
    search_fields = ["name", "short_name", "code"]
    prepopulated_fields = {"slug": ["short_name"]}
    list_select_related = ["inspector_contact"]


class QuestionInline(admin.TabularInline):
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


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "inspection", "order", "grade", "is_overall"]
    list_filter = ["grade", "inspection__programme"]
    search_fields = ["text", "inspection__title"]
    list_select_related = ["inspection__force"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class FindingEventInline(admin.TabularInline):
    model = FindingEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "from_status", "to_status", "author", "text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # Status moves go through the services, which check the rules.
        return False


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "kind", "status", "inspection", "force"]
    list_filter = ["kind", "status", "inspection__programme", "themes", "force"]
    search_fields = ["reference", "text"]
    list_select_related = ["inspection__force", "force"]
    raw_id_fields = ["inspection", "question", "parent", "superseded_by"]
    filter_horizontal = ["themes"]
    readonly_fields = ["status", "status_changed_at", "superseded_by"]
    inlines = [FindingEventInline]


@admin.register(FindingEvent)
class FindingEventAdmin(admin.ModelAdmin):
    list_display = ["finding", "kind", "to_status", "author", "created_at"]
    list_filter = ["kind"]
    search_fields = ["finding__reference", "text"]
    list_select_related = ["finding", "author"]

    def has_change_permission(self, request, obj=None):
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


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
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
    raw_id_fields = ["finding", "parent", "owner"]
    filter_horizontal = ["contributors"]
    # Status changes are workflow moves with their own rules and timeline entry.
    readonly_fields = ["status", "status_changed_at", "last_progress_at", "version"]

    def save_model(self, request, obj, form, change):
        # An edit here is an edit like any other: whoever loaded the older
        # version elsewhere must see a conflict, not overwrite this one.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


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

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
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
        "sent_at",
    ]
    list_filter = ["status", "kind", "due_on"]
    search_fields = ["recipient__email", "action__title", "finding__reference"]
    date_hierarchy = "due_on"
    list_select_related = ["recipient", "action", "finding"]
    readonly_fields = [field.name for field in Reminder._meta.fields]
    actions = ["send_failed_again"]

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, obj):
        return obj.kind_label

    # Rows are written by the sweep and the sending task only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
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
        requeued = sweep.requeue_failed(ids)
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
        transaction.on_commit(lambda: sweep.queue_digests(recipients, today))
        self.message_user(
            request,
            f"{requeued} reminder{'s' if requeued != 1 else ''} will be sent again, "
            "now or, if the task queue is down, with the next sweep.",
            messages.SUCCESS,
        )


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest", "weekly_on", "paused_until"]
    list_filter = ["digest", "weekly_on"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


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
