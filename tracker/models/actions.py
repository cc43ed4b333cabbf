"""The force's work: actions with their red/amber/green rating, progress updates, evidence, deadline change requests.

Overdue and the red/amber/green rating are never stored: they follow from the
deadline, the status, the day the work was done and today, through `rag_for` and
`Action.objects.with_rag`, and read in words through `rag_label`.
"""

import datetime
import uuid
from pathlib import PurePath

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from simple_history.models import HistoricalRecords

from ..formats import long_date
from .inspections import Finding, Inspection
from .people import Force, User

# An action is amber from this many days before its deadline.
AMBER_WITHIN_DAYS = 14
# Police Act 1996, section 55: the police and crime commissioner publishes
# comments on every report within 56 days of its publication; the importer adds
# an action of the whole report for it.
PCC_RESPONSE_DAYS = 56
PCC_RESPONSE_TITLE = "Police and crime commissioner's published response to the report"


class Rag(models.TextChoices):
    """The red/amber/green rating, always shown with its words, never by colour alone."""

    RED = "red", "Red: overdue"
    AMBER = "amber", "Amber: due soon"
    GREEN = "green", "Green: on track"
    DONE_LATE = "done_late", "Done late"
    CLOSED = "closed", "Closed"


def owned_or_helped_by(user) -> Q:
    """Actions `user` owns or contributes to, as a condition to combine with others.

    The contributors through a subquery, not a join, so that no action comes twice.
    """
    helping = Action.contributors.through.objects.filter(user=user).values("action_id")
    return Q(owner=user) | Q(pk__in=helping)


class ActionQuerySet(models.QuerySet):
    def open(self):
        # Named statuses, not excluded ones: an index range (action_force_open_idx).
        return self.filter(status__in=Action.OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(deadline__lt=today, status__in=Action.UNFINISHED_STATUSES)

    def with_rag(self, today: datetime.date | None = None):
        """Annotate `rag` in the database, with the same rule as `rag_for`."""
        today = today or timezone.localdate()
        amber_until = today + datetime.timedelta(days=AMBER_WITHIN_DAYS)
        return self.annotate(
            rag=Case(
                When(status__in=Action.CLOSED_STATUSES, then=Value(Rag.CLOSED)),
                When(
                    status=Action.Status.DONE,
                    done_on__gt=F("deadline"),
                    then=Value(Rag.DONE_LATE),
                ),
                When(status=Action.Status.DONE, then=Value(Rag.GREEN)),
                When(deadline__lt=today, then=Value(Rag.RED)),
                When(deadline__lte=amber_until, then=Value(Rag.AMBER)),
                default=Value(Rag.GREEN),
                output_field=models.CharField(),
            )
        )


class Action(models.Model):
    """Work a force does to answer a finding: sub-steps and deliverables form a tree."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done, awaiting sign-off"
        SIGNED_OFF = "signed_off", "Signed off"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class DeadlineSetBy(models.TextChoices):
        INSPECTORATE = "inspectorate", "Inspectorate"
        FORCE = "force", "Force"

    CLOSED_STATUSES: tuple[str, ...] = (Status.SIGNED_OFF, Status.WITHDRAWN)
    # Not closed, named rather than excluded, so that reading them is an index range
    # (action_force_open_idx has this very condition).
    OPEN_STATUSES: tuple[str, ...] = (
        Status.NOT_STARTED,
        Status.IN_PROGRESS,
        Status.DONE,
    )
    UNFINISHED_STATUSES: tuple[str, ...] = (Status.NOT_STARTED, Status.IN_PROGRESS)

    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="+", editable=False
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="actions"
    )
    # Empty for a deliverable of the whole report, such as the police and crime
    # commissioner's published response.
    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    deliverable = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the action produces: a document, a process, a trained team.",
    )
    owner = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_actions",
        help_text="The person accountable for the action.",
    )
    contributors = models.ManyToManyField(
        User, blank=True, related_name="contributed_actions"
    )
    deadline = models.DateField(null=True, blank=True)
    deadline_wording = models.CharField(
        max_length=120,
        blank=True,
        help_text='The report\'s words, e.g. "within three months".',
    )
    deadline_set_by = models.CharField(
        max_length=12, choices=DeadlineSetBy.choices, default=DeadlineSetBy.FORCE
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    percent_complete = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    last_progress_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last progress update was recorded."
    )
    # The day the owner said the work was done (not the day the lead signed it
    # off): against the deadline it says whether the work was late. Empty again
    # when the action is returned or withdrawn.
    done_on = models.DateField(null=True, blank=True, editable=False)
    # Optimistic concurrency: every change bumps it, and a save that started from
    # an older version is refused rather than silently overwriting.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(
        m2m_fields=[contributors], excluded_fields=["updated_at"]
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "finding", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="percent_complete_0_to_100",
                condition=Q(percent_complete__gte=0, percent_complete__lte=100),
                violation_error_message="Percent complete must be between 0 and 100.",
            ),
            models.CheckConstraint(
                name="finished_action_is_100_percent",
                condition=~Q(status__in=["done", "signed_off"])
                | Q(percent_complete=100),
                violation_error_message="A done or signed-off action is 100% complete.",
            ),
        ]
        indexes = [
            models.Index(fields=["force", "status"]),
            models.Index(fields=["owner", "status"]),
            # The action list's order: its pages are read straight off this index.
            models.Index(fields=["deadline", "id"], name="action_deadline_id_idx"),
            # ... and its pages and counts filtered by status (with or without a
            # deadline range), likewise, rather than reading every action.
            models.Index(
                fields=["status", "deadline", "id"], name="action_status_deadline_idx"
            ),
            # The newest change stamps cached national figures (views._national).
            models.Index(fields=["updated_at"], name="action_updated_idx"),
            # Open work alone, a force's or every force's (the reminder sweep): its
            # figures and the sweep never read the years of closed history, and a
            # force's list of open work comes in its order (deadline, id).
            models.Index(
                fields=["force", "deadline", "id"],
                name="action_force_open_idx",
                condition=Q(status__in=["not_started", "in_progress", "done"]),
            ),
            # ... and what was created or closed within a chart's year.
            models.Index(
                fields=["force", "status_changed_at"], name="action_force_changed_idx"
            ),
            models.Index(
                fields=["force", "created_at"], name="action_force_created_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.finding_id:
            self.inspection_id = self.finding.inspection_id
        self.force_id = self.inspection.force_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tracker:action-detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return action_reference(self.force.code, self.pk)

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return rag_for(self, today) == Rag.RED


def action_reference(force_code: str, pk: int) -> str:
    """WMP-A1234: the force's code and the number in the action's address
    (/actions/1234/). Its place in a plan would change when steps are reordered
    or removed; this never does, so minutes that quote it stay true."""
    return f"{force_code}-A{pk}"


def rag_for(action: Action, today: datetime.date | None = None) -> str:
    """Red when an unfinished action is past its deadline, amber within 14 days of it."""
    today = today or timezone.localdate()
    if action.status in Action.CLOSED_STATUSES:
        return Rag.CLOSED
    if action.status == Action.Status.DONE:
        return (
            Rag.DONE_LATE if days_late(action.deadline, action.done_on) else Rag.GREEN
        )
    if action.deadline is None:
        return Rag.GREEN
    if action.deadline < today:
        return Rag.RED
    if action.deadline <= today + datetime.timedelta(days=AMBER_WITHIN_DAYS):
        return Rag.AMBER
    return Rag.GREEN


def days_late(deadline: datetime.date | None, done_on: datetime.date | None) -> int:
    """Days between the deadline and the day the work was done; 0 when on time."""
    if deadline is None or done_on is None:
        return 0
    return max((done_on - deadline).days, 0)


def rag_label(
    rag: str, deadline: datetime.date | None, done_on: datetime.date | None
) -> str:
    """The rating in words, saying by how much finished work missed its deadline."""
    late = days_late(deadline, done_on)
    if late and rag in (Rag.DONE_LATE, Rag.CLOSED):
        days = f"{late:,} day{'s' if late != 1 else ''} after the deadline"
        return f"Done late: {days}" if rag == Rag.DONE_LATE else f"Closed: done {days}"
    return Rag(rag).label


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only.")


class ProgressUpdate(models.Model):
    """One entry of an action's timeline: progress recorded, or a status move. Append-only."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress update"
        STARTED = "started", "Started"
        MARKED_DONE = "marked_done", "Marked done"
        SIGNED_OFF = "signed_off", "Signed off"
        # By a force lead who owns the action or helped with it: allowed, since a
        # small force may have one lead, but shown to the inspector deciding closure.
        SELF_SIGNED_OFF = "self_signed_off", "Self sign-off"
        RETURNED = "returned", "Returned for more work"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DEADLINE_REQUESTED = "deadline_asked", "Deadline change requested"
        DEADLINE_CHANGED = "deadline_moved", "Deadline changed"
        DEADLINE_REFUSED = "deadline_kept", "Deadline change refused"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PROGRESS)
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="progress_updates"
    )
    text = models.TextField(blank=True)
    from_status = models.CharField(
        max_length=12, choices=Action.Status.choices, blank=True
    )
    to_status = models.CharField(
        max_length=12, choices=Action.Status.choices, blank=True
    )
    percent_complete = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["action", "created_at"])]
        constraints = [
            models.CheckConstraint(
                name="update_percent_0_to_100",
                condition=Q(percent_complete__isnull=True)
                | Q(percent_complete__gte=0, percent_complete__lte=100),
                violation_error_message="Percent complete must be between 0 and 100.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Progress updates are append-only: add a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Progress updates are append-only.")


class DeadlineChangeRequest(models.Model):
    """A force lead's request to move a deadline the inspectorate set; an inspector decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an inspector"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="deadline_requests"
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    current_deadline = models.DateField(null=True, blank=True)
    new_deadline = models.DateField()
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action"],
                condition=Q(status="pending"),
                name="one_pending_deadline_request_per_action",
                violation_error_message="This action already has a deadline change waiting.",
            ),
        ]

    def __str__(self):
        return f"{self.action}: to {long_date(self.new_deadline)}"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # A random stored name: the person's file name is kept only as data, so it
    # can never choose a path on disk.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file or a link attached to a progress update."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=200)
    link = models.URLField(blank=True, max_length=1000)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="evidence_is_a_file_or_a_link",
                condition=(Q(file="") & ~Q(link="")) | (~Q(file="") & Q(link="")),
                violation_error_message="Evidence is either a file or a link.",
            ),
        ]

    def __str__(self):
        return self.original_name or self.link

    def save(self, *args, **kwargs):
        if self.original_name:
            self.original_name = get_valid_filename(PurePath(self.original_name).name)[
                :200
            ]
        super().save(*args, **kwargs)
