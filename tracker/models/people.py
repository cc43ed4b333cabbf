"""Forces and the people in them: roles, accounts, who leads and who inspects."""

import ipaddress
import re

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Role(models.TextChoices):
    FORCE_STAFF = "force_staff", "Force staff"
    FORCE_LEAD = "force_lead", "Force lead"
    INSPECTOR = "inspector", "Inspector"
    ADMIN = "admin", "Administrator"


# The roles that belong to a force: they see its work and may own its actions.
FORCE_ROLES = (Role.FORCE_STAFF, Role.FORCE_LEAD)


class ForceQuerySet(models.QuerySet):
    def police(self):
        """The 43 territorial forces: what national figures compare."""
        return self.filter(kind=Force.Kind.POLICE_FORCE)

    def national_bodies(self):
        return self.filter(kind=Force.Kind.NATIONAL_BODY)


def network_list(text: str) -> list[str]:
    """Networks written one per line (or separated by commas or spaces)."""
    return [part for part in re.split(r"[\s,]+", text or "") if part]


def validate_networks(text: str) -> None:
    for part in network_list(text):
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ValidationError(
                f"{part} is not a network: write one as 10.20.0.0/16."
            ) from None


class Force(models.Model):
    """One of the 43 territorial police forces of England and Wales, or a national
    body (the College of Policing, say) that owns the findings addressed to it."""

    class Kind(models.TextChoices):
        POLICE_FORCE = "police_force", "Police force"
        NATIONAL_BODY = "national_body", "National body"

    kind = models.CharField(
        max_length=16, choices=Kind.choices, default=Kind.POLICE_FORCE
    )
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
    staff_may_plan = models.BooleanField(
        "force staff may plan actions",
        default=False,
        help_text="Force staff may add, edit and reorder actions too, not only the force lead.",
    )

    protective_marking = models.CharField(
        max_length=60,
        default="OFFICIAL",
        help_text=(
            "Printed in the header and footer of every page of the force's committee "
            'packs, e.g. "OFFICIAL" or "OFFICIAL-SENSITIVE".'
        ),
    )

    webhook_networks = models.TextField(
        "the force's own networks, for webhooks",
        blank=True,
        validators=[validate_networks],
        help_text=(
            "Where, besides public addresses, the force's webhooks may post: its "
            "own networks, one per line, such as 10.20.0.0/16. No other force's "
            "webhooks may reach them."
        ),
    )

    objects = ForceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tracker:force-detail", args=[self.slug])

    @property
    def is_national_body(self) -> bool:
        return self.kind == self.Kind.NATIONAL_BODY

    @property
    def webhook_network_list(self) -> list[str]:
        return network_list(self.webhook_networks)


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
