"""The API's errors as JSON: a service's refusal is 400, a stale version 409, a
role that may not 403, what the person may not see 404."""

from django.core.exceptions import PermissionDenied
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..services import ConflictError, WorkflowError


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        return Response(
            {"detail": exc.message, "current_version": exc.current.version},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, WorkflowError):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied) and exc.args:
        # The service's own sentence, rather than DRF's generic one.
        exc = exceptions.PermissionDenied(str(exc))
    return drf_exception_handler(exc, context)
