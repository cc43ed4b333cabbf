"""The inspectors' import page: upload or paste a report, correct what was read, confirm.

Nothing is saved before confirmation: the parsed report waits in the session
(as plain data) while the inspector reads and corrects it.
"""

import datetime
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import import_edits
from ..date_input import PARTS, posted_date
from ..forms import ReportUploadForm, is_id
from ..importer import ReportParseError, addressees, parse_report, walk
from ..importing import (
    CLOSED_NOTE,
    NATIONAL,
    ReportImportError,
    addressee_problems,
    content_hash,
    count_from_publication,
    find_force,
    is_register_page,
    plan_import,
    plan_national_import,
    save_import,
    save_national_import,
    saved_wording,
    undated_problems,
    word_diff,
    wording_problems,
)
from ..models import Finding, Force, Grade
from ..permissions import can_import
from ..templatetags.tracker_tags import deadline_note
from .common import page_with_form

SESSION_KEY = "report-imports"
GRADES = Grade.choices
KINDS = Finding.Kind.choices
STATUSES = dict(Finding.Status.choices)
# Whom a finding of a national report may be addressed to, in the preview.
ADDRESSEES = (addressees.ALL_FORCES, *addressees.NATIONAL_BODIES)


def _require_importer(user):
    if not can_import(user):
        raise PermissionDenied("Only inspectors import reports.")


@page_with_form
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
            chosen = force.pk if force else NATIONAL if data.get("national") else None
            request.session.setdefault(SESSION_KEY, {})[token] = {
                "data": data,
                "fingerprint": content_hash(raw),
                "force": chosen,
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


def _deadline_runs(action, other) -> list[tuple[bool, str]]:
    """An action's deadline as word runs, marked where it differs from the other's."""

    def parts(a):
        day = f"{a.deadline.day} {a.deadline:%B %Y}" if a.deadline else "No deadline"
        note = deadline_note(a)
        return day, f"({note})" if note else ""

    mine, theirs = parts(action), parts(other)
    return [(m != t, m) for m, t in zip(mine, theirs, strict=True) if m]


def _shortened(runs: list[tuple[bool, str]], keep: int = 12) -> list[tuple[bool, str]]:
    """Long unchanged passages cut to the words next to a change (the form has them all)."""
    out = []
    last = len(runs) - 1
    for i, (changed, text) in enumerate(runs):
        words = text.split()
        if changed or len(words) <= 2 * keep or last == 0:
            out.append((changed, text))
        elif i == 0:
            out.append((False, "… " + " ".join(words[-keep:])))
        elif i == last:
            out.append((False, " ".join(words[:keep]) + " …"))
        else:
            out.append((False, " ".join(words[:keep] + ["…"] + words[-keep:])))
    return out


def _said(action) -> str:
    return " ".join(text for _, text in _deadline_runs(action, action))


def _change_rows(change) -> list[dict]:
    """A changed finding's before (what is saved now) and after (what will be saved)."""
    rows = []
    if change.kind_changed:
        rows.append(
            {
                "label": "Kind of finding (and so its reference)",
                "before": [(True, change.old.get_kind_display())],
                "after": [(True, dict(KINDS)[change.kind])],
            }
        )
    if change.text_changed:
        before, after = word_diff(change.old.text, change.text)
        rows.append(
            {
                "label": "Text of the finding",
                "before": _shortened(before),
                "after": _shortened(after),
            }
        )
    for step in change.steps:
        what = "Action" if step.depth == 0 else "Sub-step"
        title = step.planned.title
        if len(title) > 60:
            title = title[:60].rsplit(" ", 1)[0] + "…"
        label = f"{what} “{title}”"
        if step.current is None:
            deadline = _said(step.planned)
            rows.append(
                {
                    "label": f"New {what.lower()}",
                    "before": [(False, "Not saved yet")],
                    "after": [(True, f"{step.planned.title}: {deadline}")],
                }
            )
            continue
        for name in ("description", "title"):
            if name in step.updates:
                before, after = word_diff(
                    getattr(step.current, name), step.updates[name]
                )
                wording = "Text" if name == "description" else "Title"
                rows.append(
                    {"label": f"{wording} of {label}", "before": before, "after": after}
                )
                break  # the title is the text's first words
        if step.note == CLOSED_NOTE:
            rows.append(
                {
                    "label": label,
                    "before": [
                        (
                            False,
                            f"{step.current.get_status_display()}: {_said(step.current)}",
                        )
                    ],
                    "after": [
                        (
                            False,
                            f"{step.current.get_status_display()}: {_said(step.current)}"
                            f" — {CLOSED_NOTE} (its text and deadline stay as they"
                            " were when it closed)",
                        )
                    ],
                }
            )
        elif step.note:
            rows.append(
                {
                    "label": f"Deadline of {label}",
                    "before": _deadline_runs(step.current, step.current),
                    "after": _deadline_runs(step.current, step.current)
                    + [
                        (
                            False,
                            f"— {step.note}; the report gives {_said(step.planned)}",
                        )
                    ],
                }
            )
        if step.deadline_changed:
            rows.append(
                {
                    "label": f"Deadline of {label}",
                    "before": _deadline_runs(step.current, step.planned),
                    "after": _deadline_runs(step.planned, step.current),
                }
            )
    return rows


def _date_note(deadline: dict) -> str:
    """Where the date in the box comes from, when it is not the report's."""
    if not deadline["due"] and deadline.get("earlier"):
        return (
            "it counts from the earlier report this recalls, which it does not "
            "date: enter the deadline's date"
        )
    if not deadline["due"] and not (
        deadline.get("relative") or deadline.get("immediate")
    ):
        return "the report gives no date for it: enter the deadline's date"
    if not deadline["due"]:
        return (
            "it counts from the publication date, which the report does not give: "
            "enter the publication date above"
        )
    published = deadline.get("published")
    if deadline.get("earlier") and (
        not published or published["due"] == deadline["due"]
    ):
        return (
            "counted from the publication of the earlier report this recalls, on the "
            "day the text gives for it"
        )
    if deadline.get("month_only") and (
        not published or published["due"] == deadline["due"]
    ):
        return "the report names only the month, so the date is its last day"
    counted = deadline.get("counted_from")
    if counted and (not published or published["due"] == deadline["due"]):
        day = datetime.date.fromisoformat(counted)
        return f"counted from the publication date you gave, {day.day} {day:%B %Y}"
    if not published or published["due"] == deadline["due"]:
        return ""
    if deadline.get("earlier_correction") == deadline["due"]:
        day = datetime.date.fromisoformat(published["due"])
        return (
            f"the date is the inspector's earlier correction of the report's "
            f"{day.day} {day:%B %Y}, kept unless you change it here"
        )
    return "the date differs from the report's"


def _source_place(item: dict) -> str:
    """Where in the report it was read: "line 72", "page 3, line 72", or that it was not."""
    if item.get("line") is None:
        return "added in this preview"
    page = item.get("page")
    return (
        f"page {page}, line {item['line']}"
        if page is not None
        else f"line {item['line']}"
    )


def _question_choices(data: dict) -> list[tuple[str, str]]:
    choices = [
        (str(q["order"]), f"Question {q['order']}: {import_edits.short(q['text'])}")
        for q in data.get("questions", [])
    ]
    return choices + [(import_edits.OUTSIDE, "Not under any question")]


def _cause_choices(data: dict) -> list[tuple[str, str]]:
    return [
        (
            place.path,
            f"{import_edits.short(place.item['text'])} ({_source_place(place.item)})",
        )
        for place in walk(data, recommendations=False)
        if place.item["kind"] == Finding.Kind.CAUSE_OF_CONCERN
    ]


def _finding_row(place, change) -> dict:
    item = place.item
    row = {
        "type": "finding" if place.is_finding else "item",
        "key": place.path,
        "item": item,
        "depth": place.level,
        "place": _source_place(item),
        "question": str(place.question_order or import_edits.OUTSIDE),
        "parent": place.path.rsplit(".r.", 1)[0]
        if place.is_recommendation
        else import_edits.NO_PARENT,
        "recommendations": len(item.get("recommendations") or []),
        # Merged into its previous sibling, or a first sub-step into what it is under.
        "can_merge": not place.path.endswith(".1") or place.parent is not None,
        "label": import_edits.describe(item),
        "what": import_edits.KIND_NAMES.get(item.get("kind", ""), "sub-step"),
    }
    # What each deadline will be saved with, beside the report's words.
    row["deadlines"] = [
        (d, saved_wording(d), _date_note(d)) for d in item.get("deadlines", [])
    ]
    # The register's status log, read-only: history, saved on the finding's timeline.
    row["timeline"] = [
        (
            datetime.date.fromisoformat(entry["on"]),
            STATUSES.get(entry.get("status") or "", "Comment"),
            entry.get("text", ""),
        )
        for entry in item.get("timeline", [])
    ]
    if change is not None:
        row["change"] = change
        row["change_rows"] = _change_rows(change)
    return row


def _rows(data: dict, plan=None, notice: dict | None = None) -> list[dict]:
    """The parsed report as rows for the preview form, each with the name its inputs use.

    A finding's row carries what a revision changes in it (its before and after),
    found by its place among the findings, as the revision matches it; the row an
    edit came back to carries what the edit did.
    """
    changes = {}
    if plan is not None and plan.is_revision:
        changes = {change.position: change for change in plan.changed}
    rows = []
    position = 0  # the finding's place in walk(data), as the revision counts them
    for place in walk(data, items=True, questions=True):
        if place.is_question:
            rows.append(
                {"type": "question", "key": place.path, "item": place.item, "depth": 0}
            )
        elif place.is_finding:
            rows.append(_finding_row(place, changes.get(position)))
            position += 1
        else:
            rows.append(_finding_row(place, None))
    for row in rows:
        if notice and row["key"] == notice["path"]:
            row["notice"] = notice["lines"]
    return rows


def _nul(what: str) -> str:
    # No database stores it, and no report's words need it.
    return f"{what} contains a NUL character (\\x00), which cannot be saved: remove it."


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
    for place in walk(data, items=True):
        path, item = place.path, place.item
        if place.is_finding:
            kind = post.get(f"{path}-kind")
            if kind in dict(KINDS):
                item["kind"] = kind
            if f"{path}-to-shown" in post:  # a national report's addressees
                # The ticks replace what was read, but a force the finding names
                # (which has no box) stays.
                item["addressees"] = [
                    name for name in ADDRESSEES if name in post.getlist(f"{path}-to")
                ] + [
                    name
                    for name in item.get("addressees", [])
                    if addressees.is_named_force(name)
                ]
        text = post.get(f"{path}-text")
        if text is not None:
            if not text.strip():
                errors.append(f"The text of item {path} cannot be empty.")
            elif "\x00" in text:
                errors.append(_nul(f"The text of item {path}"))
            else:
                item["text"] = " ".join(text.split())
        for n, deadline in enumerate(item.get("deadlines", [])):
            try:
                due = posted_date(post, f"{path}-d{n}-due", "The deadline")
            except ValidationError as error:
                errors.append(f"{error.message} (item {path}).")
                continue
            if due is None or (not due and not deadline["due"]):
                continue  # an undated "within three months" left for the date below
            # What the report said, to tell the inspector's corrections from it.
            deadline.setdefault(
                "published", {"due": deadline["due"], "wording": deadline["wording"]}
            )
            if due:
                deadline["due"] = due
            else:
                errors.append(
                    f"The deadline of item {path} cannot be left empty: give its date."
                )
            wording = post.get(f"{path}-d{n}-wording")
            if wording is not None and "\x00" in wording:
                errors.append(_nul(f"The wording of deadline {n + 1} of item {path}"))
            elif wording is not None:
                deadline["wording"] = " ".join(wording.split())
    try:
        published = posted_date(post, "published", "The publication date")
    except ValidationError as error:
        errors.append(f"{error.message}.")
    else:
        if published:
            count_from_publication(data, datetime.date.fromisoformat(published))
    return errors


def _chosen_force(value: str) -> Force | None:
    """The force picked in the form, or None for a value that names no force."""
    if not is_id(value):
        return None
    return Force.objects.filter(pk=int(value.strip())).first()


def _edit(data: dict, post) -> import_edits.Done:
    """The structural change the pressed button asks for ("split:q4.1", say)."""
    what, _, path = post["edit"].partition(":")
    if what == "add":
        try:
            due = posted_date(post, "new-due", "The deadline of the finding to add")
        except ValidationError as error:
            raise import_edits.EditError(
                f"{error.message}, or leave it empty."
            ) from None
        return import_edits.add_finding(
            data,
            text=post.get("new-text", ""),
            kind=post.get("new-kind", ""),
            question=post.get("new-question", ""),
            parent=post.get("new-parent", import_edits.NO_PARENT),
            due=due or "",
            wording=post.get("new-wording", ""),
        )
    if what == "delete":
        return import_edits.delete(data, path)
    if what == "split":
        return import_edits.split(data, path, post.get(f"{path}-text", ""))
    if what == "merge":
        return import_edits.merge(data, path)
    if what == "move":
        return import_edits.move(
            data,
            path,
            question=post.get(f"{path}-question", ""),
            parent=post.get(f"{path}-parent"),
        )
    raise import_edits.EditError("That button does nothing here: reload the page.")


def _adding(post) -> dict:
    """What the inspector typed into "Add a finding", shown again when it is refused."""
    names = ("text", "kind", "question", "parent", "wording")
    adding = {name: post.get(f"new-{name}", "") for name in names}
    # The date's boxes as typed, right or wrong, to put right.
    adding["due"] = {part: post.get(f"new-due_{part}", "") for part in PARTS}
    return adding


def _back_to(request, token: str, done: import_edits.Done, notes: list[str]):
    """The preview again (after a post, a redirect), at the item the edit left in
    view, with what it did said beside it, where the eye is."""
    pending = request.session[SESSION_KEY][token]
    url = reverse("tracker:import-preview", kwargs={"token": token})
    anchor = import_edits.path_of(pending["data"], done.focus)
    if not anchor:
        for text in [done.message, *notes]:
            messages.success(request, text)
        return redirect(url)
    pending["notice"] = {"path": anchor, "lines": [done.message, *notes]}
    return redirect(f"{url}#item-{anchor}")


@page_with_form
@login_required
def import_preview(request, token):
    _require_importer(request.user)
    pending = request.session.get(SESSION_KEY, {}).get(token)
    if pending is None:
        raise Http404("This import has expired: upload the report again.")
    data = pending["data"]
    forces = Force.objects.police()
    national = pending["force"] == NATIONAL
    force = None
    if pending["force"] and not national:
        force = Force.objects.filter(pk=pending["force"]).first()
    errors: list[str] = []
    adding: dict = {}
    version = str(pending.get("version", 0))
    if request.method == "POST" and request.POST.get("version", version) != version:
        # The page's inputs are named by the items' places, which an edit since
        # (in another tab, or before going back) has moved.
        errors.append(
            "This page was out of date: the import has changed since it was shown."
            " Here it is as it stands now: make your change, and any correction typed"
            " since, again."
        )
    elif request.method == "POST":
        if "force" in request.POST:
            national = request.POST["force"] == NATIONAL
            force = None if national else _chosen_force(request.POST["force"])
        errors = _apply_corrections(data, request.POST)
        if "title" in request.POST:
            data["title"] = " ".join(request.POST["title"].split())
        pending["force"] = NATIONAL if national else force.pk if force else None
        request.session.modified = True
        edit, done = request.POST.get("edit"), None
        if edit and errors:
            errors.append(
                "So the button you pressed changed nothing yet: correct the above, then"
                " press it again."
            )
        elif edit:
            try:
                done = _edit(data, request.POST)
            except import_edits.EditError as error:
                errors.append(error.message)
        notes = import_edits.settle(data)
        if done is not None:
            pending["version"] = int(version) + 1
            return _back_to(request, token, done, notes)
        for note in notes:
            messages.info(request, note)
        if request.POST.get("new-text", "").strip() and edit != "add":
            errors.append(
                "You typed a finding under “Add a finding” but did not add it: press"
                " “Add the finding”, or empty its text box."
            )
        if errors:
            adding = _adding(request.POST)
        if national:
            return _national_preview(request, token, pending, errors, adding)
        if force is None and not edit:
            errors.append("Choose the force this report is about from the list.")
        errors += wording_problems(data)
        if "confirm" in request.POST:  # the warning above says so until then
            errors += undated_problems(data)
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
    if national:
        return _national_preview(request, token, pending, errors, adding)
    plan = None
    if force is not None:
        try:
            plan = plan_import(data, force, fingerprint=pending["fingerprint"])
        except ReportImportError as error:
            errors.append(error.message)
        # Planning a revision writes the inspector's earlier corrections into the
        # data; kept, they are what the boxes show and what the next post starts from.
        request.session.modified = True
    return _render_preview(
        request,
        token,
        pending,
        errors,
        plan=plan,
        forces=forces,
        force=force,
        adding=adding,
    )


def _render_preview(request, token, pending, errors, **context):
    data = pending["data"]
    notice = pending.pop("notice", None)
    request.session.modified = True
    counts = {kind: 0 for kind, _ in KINDS}
    for place in walk(data):
        counts[place.item["kind"]] += 1
    return render(
        request,
        "tracker/import_preview.html",
        {
            "token": token,
            "pending": pending,
            "data": data,
            "rows": _rows(data, context.get("plan"), notice),
            "grades": GRADES,
            "kinds": KINDS,
            "addressee_choices": ADDRESSEES,
            "national_bodies": Force.objects.national_bodies(),
            "register_page": is_register_page(data),
            "counts": [(*Finding.KIND_NAMES[kind], counts[kind]) for kind, _ in KINDS],
            "errors": errors,
            "version": pending.get("version", 0),
            "adding": {},
            "questions": _question_choices(data),
            "causes": _cause_choices(data),
            "no_parent": import_edits.NO_PARENT,
            **context,
        },
        status=400 if errors else 200,
    )


def _national_preview(request, token, pending, errors, adding):
    """The preview of a report for all forces: whom each finding goes to, then one
    inspection per addressee with its copies (importing.save_national_import)."""
    data = pending["data"]
    if request.method == "POST":
        errors += wording_problems(data) + addressee_problems(data)
        if "confirm" in request.POST:
            errors += undated_problems(data)
        if not (data.get("title") or "").strip():
            errors.append("Give the national report's title.")
    plan = None
    try:
        plan = plan_national_import(data, fingerprint=pending["fingerprint"])
    except ReportImportError as error:
        errors.append(error.message)
    if plan is not None and not errors and "confirm" in request.POST:
        if plan.already_imported:
            messages.info(
                request, "This report was already imported: nothing was changed."
            )
            return redirect("tracker:national-findings")
        try:
            nationals = save_national_import(
                plan, request.user, source_reference=pending["source"]
            )
        except ReportImportError as error:
            errors.append(error.message)
        else:
            copies = Finding.objects.filter(national__in=nationals).count()
            messages.success(
                request,
                f"Imported “{data['title']}”: {len(nationals)} national findings, "
                f"{copies} copies for their addressees.",
            )
            del request.session[SESSION_KEY][token]
            request.session.modified = True
            return redirect("tracker:national-findings")
    return _render_preview(
        request,
        token,
        pending,
        errors,
        plan=plan,
        forces=Force.objects.police(),
        force=None,
        national=True,
        adding=adding,
    )
