"""The papers people take to meetings: each committee pack, inspection pack and
national brief made, so that the next pack can say what changed since this one."""

from django.db import models
from django.utils import timezone

from .inspections import Inspection, Theme
from .people import Force, User


class Paper(models.Model):
    """One pack as it was made: for whom, over which period, by whom and when."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "Committee pack"
        INSPECTION = "inspection", "Inspection pack"
        NATIONAL = "national", "National brief"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (.docx)"
        XLSX = "xlsx", "Excel (.xlsx)"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=Format.choices)
    force = models.ForeignKey(
        Force, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marking = models.CharField(
        max_length=60,
        default="OFFICIAL",
        help_text="In every page's header and footer.",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-made_at", "-pk"]
        indexes = [models.Index(fields=["kind", "force", "-made_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.period_start} to {self.period_end}"
