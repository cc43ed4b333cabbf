"""The domain: forces, inspections and their findings, and the actions that answer them.

Overdue and the red/amber/green rating are never stored: they follow from the
deadline, the status, the day the work was done and today, through `rag_for` and
`Action.objects.with_rag`, and read in words through `rag_label`.
"""

import datetime
import uuid
from pathlib import PurePath

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from simple_history.models import HistoricalRecords

# An action is amber from this many days before its deadline.
AMBER_WITHIN_DAYS = 14


class Role(models.TextChoices):
    FORCE_STAFF = "force_staff", "Force staff"
    FORCE_LEAD = "force_lead", "Force lead"
    INSPECTOR = "inspector", "Inspector"
    ADMIN = "admin", "Administrator"


# The roles that belong to a force: they see its work and may own its actions.
FORCE_ROLES = (Role.FORCE_STAFF, Role.FORCE_LEAD)


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_GRADED = "not_graded", "Not graded"
    NOT_STATED = "not_stated", "Not stated"


class Rag(models.TextChoices):
    """The red/amber/green rating, always shown with its words, never by colour alone."""

    RED = "red", "Red: overdue"
    AMBER = "amber", "Amber: due soon"
    GREEN = "green", "Green: on track"
    DONE_LATE = "done_late", "Done late"
    CLOSED = "closed", "Closed"


class Force(models.Model):
    """One of the 43 territorial police forces of England and Wales."""

    name = models.CharField(max_length=100, unique=True)
    short_name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    code = models.CharField(
        max_length=6, unique=True, help_text="Used in finding references, e.g. WMP."
    )
    inspector_contact = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forces_in_contact",
        limit_choices_to={"role": Role.INSPECTOR},
        help_text="The inspector who receives this force's late escalations.",
    )
    evidence_quota_gb = models.PositiveIntegerField(
        "evidence storage quota (GB)",
        null=True,
        blank=True,
        help_text="Leave empty for the quota every force has (EVIDENCE_FORCE_QUOTA_GB).",
    )
    evidence_bytes = models.PositiveBigIntegerField(
        "evidence stored (bytes)",
        default=0,
        editable=False,
        help_text="Counted again at each upload; shown to the force lead.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tracker:force-detail", args=[self.slug])


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        # Signing in (ModelBackend) looks people up here: any letter case will do.
        try:
            return self.get(email__iexact=email)
        except self.model.MultipleObjectsReturned:
            # Accounts made before emails were kept in lower case may differ only
            # by case: only the exact spelling picks one, never a guess.
            return self.get(email=email)


class User(AbstractUser):
    """A person who signs in: force staff and leads belong to one force."""

    username = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(
        max_length=20, choices=Role.choices, default=Role.FORCE_STAFF
    )
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    # The secret in the person's private calendar feed address; empty when revoked.
    calendar_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    # When a new password turned the calendar address off, to tell the person why.
    calendar_off_by_password_at = models.DateTimeField(
        null=True, blank=True, editable=False
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                name="force_users_have_a_force",
                condition=Q(role__in=[Role.INSPECTOR, Role.ADMIN])
                | Q(force__isnull=False),
                violation_error_message="Force staff and force leads must belong to a force.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @classmethod
    def normalize_username(cls, username):
        # Called by clean(): forms (the admin's too) save emails in lower case, so
        # that uniqueness is checked on the lower-case spelling.
        return super().normalize_username(username).lower()

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_disabled = True

    def save(self, *args, **kwargs):
        # The calendar address must not outlive the password it was made under, as
        # sessions don't: whoever had the old password may have copied the address.
        # Django marks a new password by `_password` (which its re-hashing of the
        # same password at sign-in leaves empty), so every way of setting one counts:
        # the person's change, a reset by email, an administrator, the commands.
        password_changed = self._password is not None or getattr(
            self, "_password_disabled", False
        )
        if password_changed and self.calendar_token:
            self.calendar_token = None
            self.calendar_off_by_password_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "calendar_token",
                    "calendar_off_by_password_at",
                }
        self._password_disabled = False
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.role in FORCE_ROLES and not self.force_id:
            raise ValidationError(
                {"force": "Force staff and force leads must belong to a force."}
            )

    @property
    def is_force_user(self) -> bool:
        return self.role in FORCE_ROLES

    @property
    def is_force_lead(self) -> bool:
        return self.role == Role.FORCE_LEAD

    @property
    def is_inspector(self) -> bool:
        return self.role == Role.INSPECTOR

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN


class Inspection(models.Model):
    """One published inspection report about one force."""

    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="inspections"
    )
    programme = models.CharField(max_length=60, help_text='e.g. "PEEL 2016"')
    pillar = models.CharField(
        max_length=60,
        blank=True,
        help_text='e.g. "Effectiveness"; empty for integrated reports',
    )
    title = models.CharField(max_length=300)
    published_on = models.DateField(
        null=True,
        blank=True,
        help_text="Publication or last-updated date, as the report states it.",
    )
    source_reference = models.CharField(
        max_length=500, blank=True, help_text="Where the report was published."
    )
    overall_grade = models.CharField(
        max_length=24, choices=Grade.choices, default=Grade.NOT_STATED
    )
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Fingerprint of the imported text, to spot re-imports.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "force__name"]
        indexes = [models.Index(fields=["force", "-published_on"])]

    def __str__(self):
        return f"{self.force.short_name}: {self.title}"

    def get_absolute_url(self):
        return reverse("tracker:inspection-detail", args=[self.pk])


class Question(models.Model):
    """A question a report asks, with the graded judgement it gives."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField()
    order = models.PositiveSmallIntegerField()
    grade = models.CharField(
        max_length=24, choices=Grade.choices, default=Grade.NOT_STATED
    )
    is_overall = models.BooleanField(default=False)

    class Meta:
        ordering = ["inspection", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "order"], name="question_order_unique"
            ),
        ]

    def __str__(self):
        return self.text


class Theme(models.Model):
    """A subject several forces were asked about, to compare them on it."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Finding(models.Model):
    """A cause of concern, recommendation or area for improvement, in the report's words."""

    class Kind(models.TextChoices):
        CAUSE_OF_CONCERN = "cause_of_concern", "Cause of concern"
        RECOMMENDATION = "recommendation", "Recommendation"
        AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"

    class Status(models.TextChoices):
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        BEING_PROGRESSED = "being_progressed", "Being progressed"
        CLOSURE_REQUESTED = "closure_requested", "Closure requested"
        COMPLETE = "complete", "Complete"
        SUPERSEDED = "superseded", "Superseded"

    KIND_CODES = {
        Kind.CAUSE_OF_CONCERN: "COC",
        Kind.RECOMMENDATION: "REC",
        Kind.AREA_FOR_IMPROVEMENT: "AFI",
    }
    KIND_NAMES = {  # (one, many), as people write them
        Kind.CAUSE_OF_CONCERN: ("cause of concern", "causes of concern"),
        Kind.RECOMMENDATION: ("recommendation", "recommendations"),
        Kind.AREA_FOR_IMPROVEMENT: ("area for improvement", "areas for improvement"),
    }
    OPEN_STATUSES: tuple[str, ...] = (
        Status.AWAITING_REVIEW,
        Status.BEING_PROGRESSED,
        Status.CLOSURE_REQUESTED,
    )

    # Copied from the inspection so that "what may this user see" is one indexed column.
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="+", editable=False
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="findings"
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recommendations",
        help_text="The cause of concern a recommendation belongs to.",
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    text = models.TextField(help_text="Verbatim, as the report states it.")
    reference = models.CharField(
        max_length=40, unique=True, help_text="e.g. WMP-2016-EFF-AFI-3"
    )
    order = models.PositiveSmallIntegerField(default=0)
    themes = models.ManyToManyField(Theme, blank=True, related_name="findings")
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.AWAITING_REVIEW
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        ordering = ["inspection", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="superseded_finding_names_its_successor",
                condition=(
                    Q(status="superseded", superseded_by__isnull=False)
                    | (~Q(status="superseded") & Q(superseded_by__isnull=True))
                ),
                violation_error_message="A superseded finding must name the finding that supersedes it.",
            ),
        ]
        indexes = [
            models.Index(fields=["force", "status"]),
            # Closure requests, longest waiting first, for every force (inspectors'
            # home page, the reminder sweep).
            models.Index(
                fields=["status", "status_changed_at"], name="finding_status_since_idx"
            ),
            models.Index(fields=["updated_at"], name="finding_updated_idx"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.force_id = self.inspection.force_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tracker:finding-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class FindingEvent(models.Model):
    """One entry of a finding's published timeline: a status change with its words."""

    class Kind(models.TextChoices):
        PROGRESSING = "progressing", "Work started"
        CLOSURE_REQUESTED = "closure_requested", "Closure requested"
        CLOSURE_AUTHORISED = "closure_authorised", "Closure authorised"
        CLOSURE_DECLINED = "closure_declined", "Closure declined"
        SUPERSEDED = "superseded", "Superseded"

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    from_status = models.CharField(max_length=24, choices=Finding.Status.choices)
    to_status = models.CharField(max_length=24, choices=Finding.Status.choices)
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(
        blank=True, help_text="The closing statement or the inspector's comment."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.finding.reference}: {self.get_kind_display()}"


def owned_or_helped_by(user) -> Q:
    """Actions `user` owns or contributes to, as a condition to combine with others.

    The contributors through a subquery, not a join, so that no action comes twice.
    """
    helping = Action.contributors.through.objects.filter(user=user).values("action_id")
    return Q(owner=user) | Q(pk__in=helping)


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=Action.CLOSED_STATUSES)

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
            models.Index(
                fields=["deadline"],
                name="action_open_deadline_idx",
                condition=Q(status__in=["not_started", "in_progress", "done"]),
            ),
            # The action list's order: its pages are read straight off this index.
            models.Index(fields=["deadline", "id"], name="action_deadline_id_idx"),
            # ... and its pages and counts filtered by status (with or without a
            # deadline range), likewise, rather than reading every action.
            models.Index(
                fields=["status", "deadline", "id"], name="action_status_deadline_idx"
            ),
            # The newest change stamps cached national figures (views._national).
            models.Index(fields=["updated_at"], name="action_updated_idx"),
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
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return rag_for(self, today) == Rag.RED


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
        days = f"{late} day{'s' if late != 1 else ''} after the deadline"
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
        return f"{self.action}: to {self.new_deadline:%d %b %Y}"


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


# Deadline reminders ------------------------------------------------------------------
# The rules are tracker.reminders.schedule; the sweep that fills the outbox and the
# delivery that empties it are tracker.reminders.outbox and .delivery.


class ReminderPolicy(models.Model):
    """The reminder rules an administrator may change: one row, read by every sweep."""

    SINGLETON_PK = 1

    days_before = models.CharField(
        "days before the deadline",
        max_length=60,
        default="28,14,7,1,0",
        help_text="Calendar days before a deadline to remind the owner, comma-separated; 0 is the day itself.",
    )
    overdue_repeat_days = models.PositiveSmallIntegerField(
        default=7, help_text="Calendar days between repeated overdue reminders."
    )
    escalate_to_lead_after_days = models.PositiveSmallIntegerField(
        default=7, help_text="Calendar days overdue before the force lead is told."
    )
    escalate_to_inspector_after_days = models.PositiveSmallIntegerField(
        default=28,
        help_text="Calendar days overdue before the force's inspector contact is told.",
    )
    sign_off_wait_working_days = models.PositiveSmallIntegerField(
        default=5,
        help_text="Working days a done action waits before the force lead is reminded.",
    )
    closure_wait_working_days = models.PositiveSmallIntegerField(
        default=10,
        help_text="Working days a closure request waits before the inspector is reminded (after this many).",
    )
    nudge_after_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Calendar days without a progress update before the owner is nudged.",
    )
    schedule_overdue_weeks = models.PositiveSmallIntegerField(
        default=4,
        help_text="Weeks of overdue reminders listed on the “my reminders” page.",
    )
    last_swept_on = models.DateField(
        "last sweep",
        null=True,
        blank=True,
        editable=False,
        help_text="The latest day the reminder sweep ran for.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "reminder policy"
        verbose_name_plural = "reminder policy"
        constraints = [
            models.CheckConstraint(
                name="reminder_policy_is_a_singleton", condition=Q(pk=1)
            ),
        ]

    def __str__(self):
        return "Reminder policy"

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        try:
            self.as_policy()
        except ValueError as error:
            raise ValidationError(str(error)) from None

    @classmethod
    def load(cls) -> "ReminderPolicy":
        policy, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return policy

    def as_policy(self):
        from .reminders.policy import Policy

        try:
            days_before = tuple(
                int(day) for day in str(self.days_before).split(",") if day.strip()
            )
        except ValueError:
            raise ValueError(
                "Days before the deadline must be whole numbers separated by commas."
            ) from None
        return Policy(
            days_before=days_before,
            overdue_repeat_days=self.overdue_repeat_days,
            escalate_to_lead_after_days=self.escalate_to_lead_after_days,
            escalate_to_inspector_after_days=self.escalate_to_inspector_after_days,
            sign_off_wait_working_days=self.sign_off_wait_working_days,
            closure_wait_working_days=self.closure_wait_working_days,
            nudge_after_days=self.nudge_after_days,
            schedule_overdue_weeks=self.schedule_overdue_weeks,
        )


class ReminderPreference(models.Model):
    """How one person takes their reminders: a daily or weekly digest, and leave."""

    class Digest(models.TextChoices):
        DAILY = "daily", "Every working day"
        WEEKLY = "weekly", "Once a week"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    digest = models.CharField(
        max_length=6, choices=Digest.choices, default=Digest.DAILY
    )
    weekly_on = models.PositiveSmallIntegerField(
        "weekly digest on", choices=Weekday.choices, default=Weekday.MONDAY
    )
    paused_until = models.DateField(
        "on leave until",
        null=True,
        blank=True,
        help_text="No reminders up to and including this date; escalations about late work still go.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user"]

    def __str__(self):
        return f"Reminder preference of {self.user}"

    def is_paused_on(self, day: datetime.date) -> bool:
        return self.paused_until is not None and day <= self.paused_until

    def digest_due_on(self, day: datetime.date) -> bool:
        """Does this person's digest go out on `day` (a working day)?

        A weekly digest whose weekday is a bank holiday goes on the next working
        day instead, even when that falls in the following week.
        """
        from .reminders.working_days import next_working_day

        if self.digest != self.Digest.WEEKLY:
            return True
        chosen = day - datetime.timedelta(days=day.weekday() - self.weekly_on)
        return day in (
            next_working_day(chosen),
            next_working_day(chosen - datetime.timedelta(days=7)),
        )


class Reminder(models.Model):
    """One reminder to one person, recorded once by the sweep and sent in their digest.

    The two partial unique constraints are the outbox key (action or finding,
    recipient, kind, deadline_key): PostgreSQL treats NULLs as distinct, so one
    constraint over both nullable columns would never fire.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: the mail server did not accept it"
        CANCELLED = "cancelled", "Cancelled: no longer current"

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="reminders"
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    kind = models.CharField(max_length=40)
    deadline_key = models.DateField(
        help_text="The deadline, or the date a wait or a silence began: a new date is a new reminder."
    )
    send_on = models.DateField(help_text="The working day the policy scheduled it for.")
    due_on = models.DateField(help_text="The day the sweep recorded it.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "recipient", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "recipient", "kind", "deadline_key"],
                condition=Q(action__isnull=False),
                name="reminder_once_per_action",
            ),
            models.UniqueConstraint(
                fields=["finding", "recipient", "kind", "deadline_key"],
                condition=Q(finding__isnull=False),
                name="reminder_once_per_finding",
            ),
            models.CheckConstraint(
                name="reminder_is_about_an_action_or_a_finding",
                condition=Q(action__isnull=False, finding__isnull=True)
                | Q(action__isnull=True, finding__isnull=False),
            ),
        ]
        indexes = [
            # Keeps "what is waiting for whom" cheap however long the sent history grows.
            models.Index(
                fields=["recipient", "due_on"],
                name="reminder_unsent_idx",
                condition=Q(status__in=["pending", "sending", "failed"]),
            ),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient_id} about {self.subject_reference}"

    @property
    def subject_reference(self) -> str:
        return (
            f"action {self.action_id}"
            if self.action_id
            else f"finding {self.finding_id}"
        )

    @property
    def kind_label(self) -> str:
        from .reminders.kinds import kind_label

        return kind_label(self.kind)
