"""What every answer goes through: a page for a form-only address, no caching of
signed-in answers, and a line in the request log."""

import json
import logging
import os
import re
import socket
import time
import uuid

from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import Resolver404, resolve

REQUESTS = logging.getLogger("peel.requests")
HOST = socket.gethostname()
# A request id from the load balancer, kept if it looks like one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,100}")


def _page_above(path: str) -> str:
    """The nearest page above a form's address: /actions/1/ above /actions/1/sign-off/."""
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) + "/"
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return "/"


class MethodNotAllowedPage:
    """A refused method answers with the site's page, not a blank one.

    A form-only address opened in a browser says it works only by a form; a
    form sent to a page to read says that page can only be read.

    Django's require_POST (and its own sign-out view) answer an empty 405; someone
    who followed a bookmark or pasted the address should hear what happened and
    have a way back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or response.content:
            return response
        allowed = {method.strip() for method in response["Allow"].split(",")}
        form_only = "GET" not in allowed
        page = render(
            request,
            "405.html",
            {
                "form_only": form_only,
                "read_only": "POST" not in allowed,
                "back": _page_above(request.path) if form_only else request.path,
            },
            status=405,
        )
        page["Allow"] = response["Allow"]
        return page


class NoStoreForSignedInMiddleware:
    """Answers to a signed-in person are kept by no cache, neither shared nor the browser's.

    They hold a force's work (pages, CSV and Excel exports alike), and a browser's
    disk cache outlives signing out on a shared computer. A response that chose its
    own caching (the calendar feed, evidence) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The person if the answer already looked them up: never a query for the log.
        user = getattr(request, "_cached_user", None)
        if (
            user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
        ):
            response["Cache-Control"] = "private, no-store"
        return response


class RequestLog:
    """One line of JSON per request on the `peel.requests` logger, for the logs of
    several app servers to be read together: its id (the load balancer's
    X-Request-ID, or a new one, sent back), the method, the URL's pattern (never
    the path itself, which may hold a calendar or import token), the status, the
    time taken, the person's id and this server's name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        match = getattr(request, "resolver_match", None)
        # The person if the answer already looked them up: never a query for the log.
        user = getattr(request, "_cached_user", None)
        REQUESTS.info(
            json.dumps(
                {
                    "request_id": request_id,
                    "method": request.method,
                    "route": "/" + match.route if match else "(no page)",
                    "view": match.view_name if match else "",
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "user": user.pk
                    if user is not None and user.is_authenticated
                    else None,
                    "server": f"{HOST}:{os.getpid()}",
                },
                separators=(",", ":"),
            )
        )
        return response
