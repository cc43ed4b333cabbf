"""What the inspectorate publishes: inspections, their questions, themes, findings
(a national finding once, with each addressee's copy) and each finding's timeline."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .people import Force, User


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_GRADED = "not_graded", "Not graded"
    NOT_STATED = "not_stated", "Not stated"


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
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

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
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

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
    addressed_as = models.CharField(
        max_length=300,
        blank=True,
        help_text="Whom it asks, as the report words it (empty: the force).",
    )
    national = models.ForeignKey(
        "NationalFinding",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="copies",
        help_text="The national finding this is one addressee's copy of.",
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


class NationalFinding(models.Model):
    """A finding of a national report, published once; each addressee tracks its own copy."""

    kind = models.CharField(max_length=24, choices=Finding.Kind.choices)
    text = models.TextField(help_text="Verbatim, as the report states it.")
    reference = models.CharField(
        max_length=40, unique=True, help_text="e.g. NAT-2023-REC-3"
    )
    order = models.PositiveSmallIntegerField(default=0)
    report_title = models.CharField(max_length=300)
    programme = models.CharField(max_length=60)
    published_on = models.DateField(null=True, blank=True)
    addressed_as = models.CharField(
        max_length=300, blank=True, help_text="Whom it asks, as the report words it."
    )
    addressees = models.JSONField(
        default=list, help_text='Who was sent a copy: "all forces", a national body.'
    )
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="Fingerprint of the imported text."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "report_title", "order"]
        indexes = [models.Index(fields=["content_hash"])]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("tracker:national-finding", args=[self.pk])


class FindingEvent(models.Model):
    """One entry of a finding's published timeline: a status change with its words,
    or an entry of the inspectorate's register, dated as the register dates it."""

    class Kind(models.TextChoices):
        PROGRESSING = "progressing", "Work started"
        CLOSURE_REQUESTED = "closure_requested", "Closure requested"
        CLOSURE_AUTHORISED = "closure_authorised", "Closure authorised"
        CLOSURE_DECLINED = "closure_declined", "Closure declined"
        SUPERSEDED = "superseded", "Superseded"
        REGISTER = "register", "Inspectorate's register"

    # What a register entry may say its status is; a comment says none.
    REGISTER_STATUSES: tuple[str, ...] = (
        Finding.Status.AWAITING_REVIEW,
        Finding.Status.BEING_PROGRESSED,
        Finding.Status.COMPLETE,
    )

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
        blank=True,
        help_text="The closing statement, the inspector's comment or the register's.",
    )
    # A register entry's day is history as published: a date, not the instant
    # it was imported (created_at), which stays when the tracker learnt of it.
    occurred_on = models.DateField(
        null=True,
        blank=True,
        help_text="For an entry of the inspectorate's register: the day it gives.",
    )
    published_status = models.CharField(
        max_length=24,
        choices=[(s, Finding.Status(s).label) for s in REGISTER_STATUSES],
        blank=True,
        help_text="For an entry of the register: its status, empty for a comment.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="register_entry_is_dated",
                condition=(
                    Q(kind="register", occurred_on__isnull=False)
                    | (
                        ~Q(kind="register")
                        & Q(occurred_on__isnull=True, published_status="")
                    )
                ),
                violation_error_message=(
                    "An entry of the register has its day; no other entry has one."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.finding.reference}: {self.get_kind_display()}"

    @property
    def is_register(self) -> bool:
        return self.kind == self.Kind.REGISTER

    @property
    def moved_status(self) -> bool:
        return self.from_status != self.to_status
