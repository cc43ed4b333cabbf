"""The pages Django shows when it cannot read a request."""

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from .. import evidence


def bad_request(request, exception):
    """The 400 page, saying why when Django stopped reading a request too big to read.

    Those requests fail before any form sees them, so the form cannot say it.
    """
    if isinstance(exception, TooManyFilesSent):
        reason = (
            f"That was more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files at once; "
            "a progress update can have at most "
            f"{settings.EVIDENCE_MAX_FILES_PER_UPDATE} files."
        )
    elif isinstance(exception, evidence.UploadTooLarge):
        reason = (
            "That upload was too large to read (over "
            f"{filesizeformat(evidence.max_request_bytes())}); a progress update can "
            f"have at most {settings.EVIDENCE_MAX_FILES_PER_UPDATE} files and "
            f"{settings.EVIDENCE_MAX_UPDATE_MB} MB in all."
        )
    elif isinstance(exception, (RequestDataTooBig, TooManyFieldsSent)):
        reason = "What was sent was too large to read."
    else:
        reason = "The request could not be read."
    match = request.resolver_match
    back = None
    if match and match.view_name == "tracker:action-add-update":
        back = reverse("tracker:action-detail", args=[match.kwargs["pk"]])
    return render(request, "400.html", {"reason": reason, "back": back}, status=400)
