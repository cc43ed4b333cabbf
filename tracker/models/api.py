"""Personal API tokens: a person's key for the REST API, kept only as a hash."""

import hashlib

from django.db import models
from django.utils import timezone

from .people import User

# The secret's first characters, kept in clear so a person can tell their
# tokens apart ("peel_Ab3x..."); too few to guess the rest from.
TOKEN_PREFIX = "peel_"
SHOWN_PREFIX_CHARS = 10


def token_digest(secret: str) -> str:
    """The stored form of a token: it is random and long, so one SHA-256 is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token: named, scoped, expiring, revocable; the secret is never stored."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What it is for.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    shown_prefix = models.CharField(max_length=SHOWN_PREFIX_CHARS, editable=False)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    expires_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.shown_prefix}…)"

    @property
    def is_read_only(self) -> bool:
        return self.scope == self.Scope.READ

    def is_expired(self, today=None) -> bool:
        return (today or timezone.localdate()) > self.expires_on

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired()
