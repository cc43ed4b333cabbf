"""The inspectors' import page: upload or paste a report, correct what was read, confirm.

Nothing is saved before confirmation: the parsed report waits in the session
(as plain data) while the inspector reads and corrects it.
"""

import datetime
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from .forms import ReportUploadForm
from .importer import ReportParseError, parse_report
from .importing import (
    ReportImportError,
    content_hash,
    every_finding,
    find_force,
    plan_import,
    save_import,
)
from .models import Finding, Force, Grade, Role

SESSION_KEY = "report-imports"
GRADES = Grade.choices
KINDS = Finding.Kind.choices


def _require_importer(user):
    if user.role not in (Role.INSPECTOR, Role.ADMIN):
        raise PermissionDenied("Only inspectors import reports.")


@login_required
def import_start(request):
    _require_importer(request.user)
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read() if upload else form.cleaned_data["text"].encode("utf-8")
        try:
            report = parse_report(raw, filename=upload.name if upload else None)
        except ReportParseError as error:
            form.add_error("file" if upload else "text", str(error))
        else:
            data = report.to_dict()
            force = form.cleaned_data["force"] or find_force(data.get("force_name"))
            token = secrets.token_urlsafe(12)
            request.session.setdefault(SESSION_KEY, {})[token] = {
                "data": data,
                "fingerprint": content_hash(raw),
                "force": force.pk if force else None,
                "source": form.cleaned_data["source_reference"],
                "filename": upload.name if upload else "pasted text",
            }
            request.session.modified = True
            return redirect("tracker:import-preview", token=token)
    return render(
        request,
        "tracker/import_start.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _walk(items, prefix: str, depth: int):
    """(path, item, depth) for findings and their sub-items, in report order."""
    for i, item in enumerate(items, start=1):
        path = f"{prefix}.{i}"
        yield path, item, depth
        yield from _walk(item.get("children", []), f"{path}.c", depth + 1)
        yield from _walk(item.get("recommendations", []), f"{path}.r", depth + 1)


def _finding_paths(data: dict):
    for question in data.get("questions", []):
        yield from _walk(question.get("findings", []), f"q{question['order']}", 1)
    yield from _walk(data.get("findings", []), "x", 0)


def _rows(data: dict) -> list[dict]:
    """The parsed report as rows for the preview form, each with the name its inputs use."""
    rows = []
    for question in data.get("questions", []):
        rows.append(
            {
                "type": "question",
                "key": f"q{question['order']}",
                "item": question,
                "depth": 0,
            }
        )
        for path, item, depth in _walk(
            question.get("findings", []), f"q{question['order']}", 1
        ):
            rows.append({"type": "finding", "key": path, "item": item, "depth": depth})
    for path, item, depth in _walk(data.get("findings", []), "x", 0):
        rows.append({"type": "finding", "key": path, "item": item, "depth": depth})
    return rows


def _apply_corrections(data: dict, post) -> list[str]:
    """Write the inspector's corrections into the data; return what could not be taken."""
    errors = []
    overall = post.get("overall_grade")
    if overall in dict(GRADES):
        data["overall_grade"] = overall
    for question in data.get("questions", []):
        grade = post.get(f"q{question['order']}-grade")
        if grade in dict(GRADES):
            question["grade"] = grade
            if question.get("is_overall"):
                data["overall_grade"] = grade
    for path, item, _ in _finding_paths(data):
        if "kind" in item:
            kind = post.get(f"{path}-kind")
            if kind in dict(KINDS):
                item["kind"] = kind
        text = post.get(f"{path}-text")
        if text is not None:
            if not text.strip():
                errors.append(f"The text of item {path} cannot be empty.")
            else:
                item["text"] = " ".join(text.split())
        for n, deadline in enumerate(item.get("deadlines", [])):
            due = post.get(f"{path}-d{n}-due")
            if due is None:
                continue
            try:
                deadline["due"] = datetime.date.fromisoformat(due).isoformat()
            except ValueError:
                errors.append(f"“{due}” is not a date (item {path}).")
            wording = post.get(f"{path}-d{n}-wording")
            if wording is not None and wording.strip():
                deadline["wording"] = wording.strip()
    return errors


@login_required
def import_preview(request, token):
    _require_importer(request.user)
    pending = request.session.get(SESSION_KEY, {}).get(token)
    if pending is None:
        raise Http404("This import has expired: upload the report again.")
    data = pending["data"]
    forces = Force.objects.all()
    force = forces.filter(pk=pending["force"]).first() if pending["force"] else None
    errors: list[str] = []
    if request.method == "POST":
        if request.POST.get("force"):
            force = forces.filter(pk=request.POST["force"]).first()
        errors = _apply_corrections(data, request.POST)
        pending["force"] = force.pk if force else None
        request.session.modified = True
        if force is None:
            errors.append("Choose the force this report is about.")
        if not errors and "confirm" in request.POST:
            try:
                plan = plan_import(data, force, fingerprint=pending["fingerprint"])
                if plan.already_imported:
                    messages.info(
                        request,
                        "This report was already imported: nothing was changed.",
                    )
                    inspection = plan.already_imported
                else:
                    inspection = save_import(
                        plan, request.user, source_reference=pending["source"]
                    )
                    messages.success(request, f"Imported “{inspection.title}”.")
            except ReportImportError as error:
                errors.append(error.message)
            else:
                del request.session[SESSION_KEY][token]
                request.session.modified = True
                return redirect(inspection)
    plan = None
    if force is not None:
        try:
            plan = plan_import(data, force, fingerprint=pending["fingerprint"])
        except ReportImportError as error:
            errors.append(error.message)
    counts = {kind: 0 for kind, _ in KINDS}
    for _, finding in every_finding(data):
        counts[finding["kind"]] += 1
    return render(
        request,
        "tracker/import_preview.html",
        {
            "token": token,
            "pending": pending,
            "data": data,
            "rows": _rows(data),
            "grades": GRADES,
            "kinds": KINDS,
            "forces": forces,
            "force": force,
            "plan": plan,
            "counts": [(*Finding.KIND_NAMES[kind], counts[kind]) for kind, _ in KINDS],
            "errors": errors,
        },
        status=400 if errors else 200,
    )
