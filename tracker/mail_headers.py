"""The headers every email of ours carries, so that mail clients thread, deduplicate and filter them.

- `message_id(*parts)`: the same parts give the same Message-ID, so a message sent
  twice (a retry after a lost reply) carries one id and clients that
  deduplicate by it show it once.
- `thread_id(action)`: the id every message about one action refers to with
  In-Reply-To and References (`thread_headers`), so that they thread together
  whatever their subjects. No message carries it as its own Message-ID: clients
  thread on a shared reference even when the message it names never arrived.
- `automatic_headers`: Auto-Submitted (RFC 3834), so that well-behaved
  auto-responders do not answer, and X-Auto-Response-Suppress, which Exchange and
  Outlook (most forces' mail) read instead.
- `unsubscribe_headers(url)`: List-Unsubscribe (RFC 2369) pointing at the page
  where the person chooses what they receive.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlparse

from django.conf import settings


class HasPk(Protocol):
    @property
    def pk(self) -> int | None: ...


def site_domain() -> str:
    """The site's host name, the right-hand side of our Message-IDs."""
    return urlparse(settings.SITE_URL).hostname or "localhost"


def message_id(*parts: object) -> str:
    """A Message-ID made of `parts` (dot-separated) at the site's domain."""
    local = ".".join(str(part) for part in parts)
    if not local or any(c in local for c in "<>@ \r\n"):
        raise ValueError(f"Not usable in a Message-ID: {local!r}")
    return f"<{local}@{site_domain()}>"


def thread_id(action: HasPk) -> str:
    """The thread every message about `action` belongs to."""
    if action.pk is None:
        raise ValueError("An action has a thread only once it is saved.")
    return message_id("action", action.pk)


def thread_headers(action: HasPk) -> dict[str, str]:
    """In-Reply-To and References for a message about one action."""
    thread = thread_id(action)
    return {"In-Reply-To": thread, "References": thread}


def automatic_headers(own_id: str) -> dict[str, str]:
    """The headers of any message the app sends on its own: its id, and "do not reply"."""
    return {
        "Message-ID": own_id,
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }


def unsubscribe_headers(preferences_url: str) -> dict[str, str]:
    """List-Unsubscribe pointing at the preferences page (an absolute https URL)."""
    return {"List-Unsubscribe": f"<{preferences_url}>"}
