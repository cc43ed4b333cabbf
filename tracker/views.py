import datetime
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST, require_safe

from . import charts, evidence, services
from .calendar import calendar_actions, calendar_for
from .exports import csv_response, xlsx_response
from .filters import ActionFilter
from .forms import (
    ActionMoveForm,
    AssignForm,
    CommentForm,
    DeadlineChangeForm,
    ProgressUpdateForm,
    SupersedeForm,
)
from .models import (
    AMBER_WITHIN_DAYS,
    Action,
    DeadlineChangeRequest,
    Finding,
    FindingEvent,
    Inspection,
    ProgressUpdate,
    Question,
    Theme,
    User,
    owned_or_helped_by,
)
from .permissions import (
    can_change_action,
    is_force_lead_of,
    is_inspector,
    is_owner_or_contributor,
    sees_every_force,
)
from .selectors import (
    action_as_seen,
    change_history,
    get_visible_or_404,
    visible_actions,
    visible_deadline_requests,
    visible_evidence,
    visible_findings,
    visible_forces,
    visible_inspections,
)
from .services import ConflictError, WorkflowError

SOON_DAYS = 14
HOME_ROWS = 10  # per list on the home page; the action list has the rest


def _is_lead_for(user, obj) -> bool:
    return is_force_lead_of(user, obj.force_id)


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


def _action_rows(queryset):
    return queryset.select_related("owner", "finding", "force").order_by(
        "deadline", "pk"
    )


@require_safe
@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    context = {"today": today, "home_rows": HOME_ROWS}
    for band, (rows, count) in _my_work(user, today).items():
        context[band], context[f"{band}_count"] = rows, count
    if user.is_force_lead:
        context["awaiting_sign_off"] = _action_rows(
            visible_actions(user).filter(status=Action.Status.DONE)
        )[:HOME_ROWS]
    if sees_every_force(user):
        context["closure_requests"] = (
            visible_findings(user)
            .filter(status=Finding.Status.CLOSURE_REQUESTED)
            .select_related("force", "inspection")
            .order_by("status_changed_at")[:HOME_ROWS]
        )
    if user.force_id:
        context["force"] = user.force
    chart_actions = visible_actions(user)

    def figures():
        return action_summary(chart_actions, today), [
            charts.open_and_completed(chart_actions, today),
            charts.deadlines_ahead(chart_actions, today),
        ]

    if sees_every_force(user):

        def national_figures():
            # order_by again: a GROUP BY query leaves out the model's ordering.
            forces = (
                visible_forces(user)
                .annotate(inspection_count=Count("inspections", distinct=True))
                .order_by("name")
            )
            return (*figures(), list(forces))

        context["summary"], context["charts"], context["forces"] = _national(
            "home", today, national_figures
        )
    else:
        context["summary"], context["charts"] = figures()
    return render(request, "tracker/home.html", context)


MY_WORK_BANDS = ("overdue", "due_soon", "later")


def _my_work(user, today: datetime.date) -> dict[str, tuple[list[Action], int]]:
    """The unfinished actions a person owns or helps with, in bands by deadline.

    For each band (overdue, due within SOON_DAYS, later or undated) the first
    HOME_ROWS actions by deadline and how many there are in all, however much work
    the person has: the database numbers the rows of each band and returns the
    first few ids with the band's size, then the rows of those ids are fetched
    with what they show. (In one query the planner joins every finding of the
    force before it keeps the first few rows.)
    """
    work = {band: ([], 0) for band in MY_WORK_BANDS}
    if not user.is_force_user:
        return work
    soon = today + datetime.timedelta(days=SOON_DAYS)
    soonest_first = [F("deadline").asc(nulls_last=True), F("pk").asc()]
    first_of_each_band = (
        visible_actions(user)
        .filter(owned_or_helped_by(user), status__in=Action.UNFINISHED_STATUSES)
        .annotate(
            band=Case(
                When(deadline__lt=today, then=Value("overdue")),
                When(deadline__lte=soon, then=Value("due_soon")),
                default=Value("later"),
            )
        )
        .annotate(
            place=Window(RowNumber(), partition_by=F("band"), order_by=soonest_first),
            band_size=Window(Count("pk"), partition_by=F("band")),
        )
        .filter(place__lte=HOME_ROWS)
        .order_by()  # the model's default order joins inspections and findings
        .values_list("pk", "band", "band_size")
    )
    band_of = {}
    for pk, band, size in first_of_each_band:
        band_of[pk] = band
        work[band] = ([], size)
    if band_of:
        rows = (
            _action_rows(Action.objects.filter(pk__in=list(band_of)))
            .with_rag(today)
            .order_by(*soonest_first)
        )
        for action in rows:
            work[band_of[action.pk]][0].append(action)
    return work


NATIONAL_CACHE_SECONDS = 300


def _national(name: str, today: datetime.date, compute):
    """Figures over every force's data, the same for every reader, computed once per change.

    The key carries the time of the newest change to any action or finding, of
    the newest entry in their change history (which records deletions too) and
    the newest inspection (five index lookups), so every process sees a change at
    once without invalidation; entries for older stamps simply expire.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(
                f"(SELECT MAX({column}) FROM {table})"
                for table, column in (
                    (Action._meta.db_table, "updated_at"),
                    (Finding._meta.db_table, "updated_at"),
                    (Inspection._meta.db_table, "id"),  # a new inspection
                    (Action.history.model._meta.db_table, "history_date"),
                    (Finding.history.model._meta.db_table, "history_date"),
                )
            )
        )
        stamps = cursor.fetchone()
    # Hashed: the timestamps' text holds spaces, which some cache servers refuse in keys.
    version = hashlib.sha1(repr(stamps).encode()).hexdigest()[:16]
    key = f"peel:national:{name}:{today.isoformat()}:{version}"
    return cache.get_or_set(key, compute, NATIONAL_CACHE_SECONDS)


def action_summary(actions, today: datetime.date) -> dict:
    """Counts by status and by red/amber/green, in one query."""
    amber_until = today + datetime.timedelta(days=AMBER_WITHIN_DAYS)
    unfinished = Q(status__in=Action.UNFINISHED_STATUSES)
    counts = actions.order_by().aggregate(
        total=Count("pk"),
        **{
            status: Count("pk", filter=Q(status=status))
            for status in Action.Status.values
        },
        red=Count("pk", filter=unfinished & Q(deadline__lt=today)),
        amber=Count(
            "pk", filter=unfinished & Q(deadline__gte=today, deadline__lte=amber_until)
        ),
        done_late=Count(
            "pk", filter=Q(status=Action.Status.DONE, done_on__gt=F("deadline"))
        ),
    )
    counts["green"] = (
        counts["total"]
        - counts["red"]
        - counts["amber"]
        - counts["done_late"]
        - sum(counts[status] for status in Action.CLOSED_STATUSES)
    )
    counts["closed"] = sum(counts[status] for status in Action.CLOSED_STATUSES)
    counts["by_status"] = [
        (label, counts[value]) for value, label in Action.Status.choices
    ]
    return counts


@require_safe
@login_required
def force_detail(request, slug):
    force = get_visible_or_404(visible_forces(request.user), slug=slug)
    today = timezone.localdate()

    def per_inspection(queryset):
        # A correlated count per row: joining actions and findings at once would
        # multiply them and need DISTINCT over the product.
        counts = (
            queryset.filter(inspection=OuterRef("pk"))
            .order_by()
            .values("inspection")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counts), 0)

    inspections = (
        visible_inspections(request.user)
        .filter(force=force)
        .annotate(
            action_count=per_inspection(Action.objects.all()),
            closed_count=per_inspection(
                Action.objects.filter(status__in=Action.CLOSED_STATUSES)
            ),
            **{
                f"{kind}_count": per_inspection(Finding.objects.filter(kind=kind))
                for kind in Finding.Kind.values
            },
        )
    )
    actions = visible_actions(request.user).filter(force=force)
    storage = None
    if is_force_lead_of(request.user, force.pk) or sees_every_force(request.user):
        storage = {
            "used": force.evidence_bytes,
            "quota": evidence.force_quota_bytes(force),
        }
    return render(
        request,
        "tracker/force_detail.html",
        {
            "force": force,
            "storage": storage,
            "inspections": inspections,
            "summary": action_summary(actions, today),
            "charts": [
                charts.open_and_completed(actions, today),
                charts.deadlines_ahead(actions, today),
            ],
        },
    )


def _with_action_tree(findings_queryset, actions_queryset):
    return findings_queryset.prefetch_related(
        Prefetch("actions", queryset=actions_queryset, to_attr="action_list")
    )


@require_safe
@login_required
def inspection_detail(request, pk):
    inspection = get_visible_or_404(
        visible_inspections(request.user).select_related("force"), pk=pk
    )
    actions = Action.objects.select_related("owner").with_rag().order_by("order", "pk")
    questions = Question.objects.filter(inspection=inspection).prefetch_related(
        Prefetch(
            "findings",
            queryset=_with_action_tree(
                Finding.objects.order_by("order", "pk"), actions
            ),
            to_attr="finding_list",
        )
    )
    report_wide = actions.filter(inspection=inspection, finding__isnull=True)
    return render(
        request,
        "tracker/inspection_detail.html",
        {"inspection": inspection, "questions": questions, "report_wide": report_wide},
    )


def _finding_page(request, finding: Finding, status: int = 200, **forms):
    user = request.user
    is_lead = is_force_lead_of(user, finding.force_id)
    may_decide_closure = (
        is_inspector(user) and finding.status == Finding.Status.CLOSURE_REQUESTED
    )
    context = {
        "finding": finding,
        "actions": finding.actions.select_related("owner")
        .with_rag()
        .order_by("order", "pk"),
        "events": FindingEvent.objects.filter(finding=finding).select_related("author"),
        "recommendations": finding.recommendations.all(),
        "may_request_closure": is_lead
        and finding.status
        in (Finding.Status.AWAITING_REVIEW, Finding.Status.BEING_PROGRESSED),
        "may_decide_closure": may_decide_closure,
        # The inspector deciding closure sees which work nobody else checked.
        "self_sign_offs": ProgressUpdate.objects.filter(
            action__finding=finding, kind=ProgressUpdate.Kind.SELF_SIGNED_OFF
        ).select_related("action", "author")
        if may_decide_closure
        else [],
        "may_supersede": is_inspector(user) and finding.is_open,
        "move_form": forms.get("move_form"),
        "failed_move": forms.get("failed_move"),
        "supersede_form": forms.get("supersede_form") or SupersedeForm(finding=finding),
    }
    return render(request, "tracker/finding_detail.html", context, status=status)


def _load_finding(request, pk) -> Finding:
    return get_visible_or_404(
        visible_findings(request.user).select_related(
            "inspection__force", "question", "parent", "superseded_by"
        ),
        pk=pk,
    )


@require_safe
@login_required
def finding_detail(request, pk):
    return _finding_page(request, _load_finding(request, pk))


def _is_inspector(user, finding) -> bool:
    return is_inspector(user)


FINDING_MOVES = {
    "request-closure": (
        _is_lead_for,
        services.finding_request_closure,
        "Closing statement",
        True,
        "Closure requested: an inspector will review it.",
    ),
    "authorise-closure": (
        _is_inspector,
        services.finding_authorise_closure,
        "Comment",
        False,
        "Closure authorised: the finding is complete.",
    ),
    "decline-closure": (
        _is_inspector,
        services.finding_decline_closure,
        "Why closure is declined",
        True,
        "Closure declined: the force lead has your comment.",
    ),
}


@require_POST
@login_required
def finding_move(request, pk, move):
    if move not in FINDING_MOVES:
        raise Http404("No such move.")
    finding = _load_finding(request, pk)
    may, service, label, required, done = FINDING_MOVES[move]
    if not may(request.user, finding):
        raise PermissionDenied("Your role does not allow this move on this finding.")
    form = CommentForm(request.POST, label=label, required=required)
    if form.is_valid():
        try:
            service(request.user, finding, form.cleaned_data["text"])
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done)
            return redirect(finding)
    return _finding_page(request, finding, status=400, move_form=form, failed_move=move)


@require_POST
@login_required
def finding_supersede(request, pk):
    finding = _load_finding(request, pk)
    if not is_inspector(request.user):
        raise PermissionDenied("Only an inspector can mark a finding superseded.")
    form = SupersedeForm(request.POST, finding=finding)
    if form.is_valid():
        try:
            services.finding_supersede(
                request.user,
                finding,
                form.cleaned_data["reference"],
                form.cleaned_data["comment"],
            )
        except WorkflowError as error:
            form.add_error("reference", error.message)
        else:
            messages.success(request, "The finding is marked superseded.")
            return redirect(finding)
    return _finding_page(request, finding, status=400, supersede_form=form)


def _action_page(request, action: Action, status: int = 200, **forms):
    user = request.user
    is_lead = is_force_lead_of(user, action.force_id)
    unfinished = action.status in Action.UNFINISHED_STATUSES
    may_change = can_change_action(user, action)
    pending = list(
        action.deadline_requests.filter(
            status=DeadlineChangeRequest.Status.PENDING
        ).select_related("requested_by")
    )
    context = {
        "action": action,
        "contributors": action.contributors.all(),
        "children": action.children.select_related("owner").with_rag(),
        "updates": ProgressUpdate.objects.filter(action=action)
        .select_related("author")
        .prefetch_related("evidence"),
        "history": change_history(action),
        "pending_deadline_requests": pending,
        "may_update": may_change and unfinished,
        "may_start": may_change and action.status == Action.Status.NOT_STARTED,
        "may_mark_done": action.status == Action.Status.IN_PROGRESS
        and is_owner_or_contributor(user, action),
        "may_review": is_lead and action.status == Action.Status.DONE,
        "may_withdraw": is_lead and not action.is_closed,
        "may_assign": is_lead and not action.is_closed,
        "may_request_deadline": is_lead
        and not action.is_closed
        and action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
        and not pending,
        "may_decide_deadline": is_inspector(user),
        "update_form": forms.get("update_form")
        or ProgressUpdateForm(initial={"version": action.version}),
        "conflict": forms.get("conflict"),
        "move_form": forms.get("move_form"),
        "failed_move": forms.get("failed_move"),
        "deadline_form": forms.get("deadline_form") or DeadlineChangeForm(),
    }
    return render(request, "tracker/action_detail.html", context, status=status)


def _load_action(request, pk) -> Action:
    return get_visible_or_404(
        visible_actions(request.user).select_related(
            "finding", "inspection__force", "owner", "parent"
        ),
        pk=pk,
    )


@require_safe
@login_required
def action_detail(request, pk):
    return _action_page(request, _load_action(request, pk))


@require_POST
@login_required
def action_add_update(request, pk):
    action = _load_action(request, pk)
    if not can_change_action(request.user, action):
        raise PermissionDenied(
            "Only the action's owner, its contributors and the force lead can record progress."
        )
    form = ProgressUpdateForm(request.POST, request.FILES)
    conflict = None
    if form.is_valid():
        try:
            services.action_record_progress(
                request.user,
                action,
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent_complete"],
                files=form.cleaned_data["files"],
                links=form.cleaned_data["links"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
            # Keep the words, links and figure, against the version now shown;
            # a browser never refills a file input, so files are chosen again.
            post = request.POST.copy()
            post["version"] = error.current.version
            form = ProgressUpdateForm(post)
            action = _load_action(request, pk)
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your progress update was saved.")
            return redirect(action)
    return _action_page(
        request,
        action,
        status=409 if conflict else 400,
        update_form=form,
        conflict=conflict,
    )


# move -> (who may, service, what the comment is called, whether it is required).
# Who may is asked before the form is read, so that a refused person hears
# "not allowed" rather than "this field is required"; the service asks again.
ACTION_MOVES = {
    "start": (can_change_action, services.action_start, "Comment", False),
    "mark-done": (
        is_owner_or_contributor,
        services.action_mark_done,
        "What was delivered",
        False,
    ),
    "sign-off": (_is_lead_for, services.action_sign_off, "Sign-off comment", False),
    "return": (_is_lead_for, services.action_return, "What is still needed", True),
    "withdraw": (
        _is_lead_for,
        services.action_withdraw,
        "Why it is no longer needed",
        True,
    ),
}
MOVE_DONE_MESSAGES = {
    "start": "The action is now in progress.",
    "mark-done": "The action is marked done and awaits the force lead's sign-off.",
    "sign-off": "The action is signed off.",
    "return": "The action was returned to its owner with your comment.",
    "withdraw": "The action was withdrawn.",
}


@require_POST
@login_required
def action_move(request, pk, move):
    if move not in ACTION_MOVES:
        raise Http404("No such move.")
    action = _load_action(request, pk)
    may, service, label, required = ACTION_MOVES[move]
    if not may(request.user, action):
        raise PermissionDenied("Your role does not allow this move on this action.")
    form = ActionMoveForm(request.POST, label=label, required=required)
    status = 400
    if form.is_valid():
        try:
            service(
                request.user,
                action,
                form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
            status = 409 if isinstance(error, ConflictError) else 400
        else:
            messages.success(request, MOVE_DONE_MESSAGES[move])
            return redirect(action)
    return _action_page(
        request, action, status=status, move_form=form, failed_move=move
    )


@login_required
def action_assign(request, pk):
    action = _load_action(request, pk)
    if not is_force_lead_of(request.user, action.force_id):
        raise PermissionDenied("Only the force lead can assign owners and deadlines.")
    conflict = None
    if request.method == "POST":
        form = AssignForm(request.POST, action=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.action_assign(
                    request.user,
                    action,
                    expected_version=data["version"],
                    owner=data["owner"],
                    contributors=data["contributors"],
                    deadline=action.deadline
                    if form.fields["deadline"].disabled
                    else data["deadline"],
                )
            except ConflictError as error:
                conflict = error
                seen = action_as_seen(error.current, data["version"])
                form = AssignForm.against(request.POST, data, seen, error.current)
                action = error.current
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Owner, contributors and deadline saved.")
                return redirect(action)
    else:
        form = AssignForm(
            action=action,
            initial={
                "owner": action.owner_id,
                "contributors": list(action.contributors.values_list("pk", flat=True)),
                "deadline": action.deadline,
                "version": action.version,
            },
        )
    return render(
        request,
        "tracker/action_assign.html",
        {"action": action, "form": form, "conflict": conflict},
        status=409 if conflict else 400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def action_request_deadline(request, pk):
    action = _load_action(request, pk)
    if not _is_lead_for(request.user, action):
        raise PermissionDenied("Only the force lead can ask for a deadline change.")
    form = DeadlineChangeForm(request.POST)
    if form.is_valid():
        try:
            services.deadline_change_request(
                request.user,
                action,
                new_deadline=form.cleaned_data["new_deadline"],
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Your request was sent to the inspectorate.")
            return redirect(action)
    return _action_page(request, action, status=400, deadline_form=form)


@require_POST
@login_required
def deadline_request_decide(request, pk):
    change = get_visible_or_404(
        visible_deadline_requests(request.user).select_related("action"), pk=pk
    )
    if not is_inspector(request.user):
        raise PermissionDenied("Only an inspector can decide a deadline change.")
    approve = request.POST.get("decision") == "approve"
    comment = CommentForm({"text": request.POST.get("comment", "")}, required=False)
    if not comment.is_valid():
        messages.error(request, " ".join(comment.errors["text"]))
        return redirect(change.action)
    try:
        services.deadline_change_decide(
            request.user,
            change,
            approve=approve,
            comment=comment.cleaned_data["text"],
        )
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Deadline change approved." if approve else "Deadline change refused.",
        )
    return redirect(change.action)


@require_safe
@login_required
def evidence_download(request, pk):
    evidence = get_visible_or_404(visible_evidence(request.user), pk=pk)
    if not evidence.file:
        raise Http404("This evidence is a link, not a file.")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


LIST_PAGE_SIZE = 50


def _filtered_actions(request) -> ActionFilter:
    # Always bound, so that the list without a query string gets the filter's
    # ordering (deadline, pk) rather than the model's ordering across four joins.
    return ActionFilter(
        request.GET, queryset=visible_actions(request.user), user=request.user
    )


@require_safe
@login_required
def action_list(request):
    action_filter = _filtered_actions(request)
    if not action_filter.is_valid():
        # No rows rather than rows the filter did not ask for; the form says why.
        action_filter.queryset = action_filter.queryset.none()
    rows = action_filter.qs.select_related(
        "owner", "finding", "force", "inspection"
    ).with_rag()
    # Page through the ids alone (an index-only scan, however deep the page), then
    # fetch the page's rows with their joins.
    paginator = Paginator(action_filter.qs.values_list("pk", flat=True), LIST_PAGE_SIZE)
    number = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if number == "last" else number)
    page.object_list = list(rows.filter(pk__in=list(page.object_list)))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": action_filter, "page": page, "query": query.urlencode()}
    # htmx asks for the results alone when a filter changes; without JavaScript
    # the same GET returns the whole page.
    partial = request.headers.get("HX-Request") == "true"
    template = (
        "tracker/_action_list_results.html" if partial else "tracker/action_list.html"
    )
    # htmx swaps in only a 200: the results it asked for then say what is wrong.
    status = 200 if partial or action_filter.is_valid() else 400
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@login_required
def action_export(request, fmt):
    action_filter = _filtered_actions(request)
    if not action_filter.is_valid():
        fields = action_filter.form.fields
        problems = " ".join(
            f"{fields[name].label if name in fields else 'Filters'}: {' '.join(errors)}"
            for name, errors in action_filter.errors.items()
        )
        return HttpResponseBadRequest(
            f"These filters cannot be exported. {problems}",
            content_type="text/plain; charset=utf-8",
        )
    if fmt == "csv":
        return csv_response(action_filter.qs)
    if fmt == "xlsx":
        return xlsx_response(action_filter.qs)
    raise Http404("Exports come as csv or xlsx.")


def _require_national_reader(user):
    if not sees_every_force(user):
        raise PermissionDenied("The national view is for inspectors.")


@require_safe
@login_required
def national(request):
    """Every force against finding and action status, overdue work, ageing, and one theme."""
    user = request.user
    _require_national_reader(user)
    today = timezone.localdate()
    findings = visible_findings(user)
    actions = visible_actions(user)
    ages = {
        "under_6_months": Q(
            inspection__published_on__gt=today - datetime.timedelta(days=183)
        ),
        "6_to_12_months": Q(
            inspection__published_on__lte=today - datetime.timedelta(days=183),
            inspection__published_on__gt=today - datetime.timedelta(days=365),
        ),
        "1_to_2_years": Q(
            inspection__published_on__lte=today - datetime.timedelta(days=365),
            inspection__published_on__gt=today - datetime.timedelta(days=730),
        ),
        "over_2_years": Q(
            inspection__published_on__lte=today - datetime.timedelta(days=730)
        ),
    }
    open_finding = Q(status__in=Finding.OPEN_STATUSES)

    def figures():
        finding_rows = {
            row["force"]: row
            for row in findings.order_by()
            .values("force")
            .annotate(
                total=Count("pk"),
                **{
                    status: Count("pk", filter=Q(status=status))
                    for status in Finding.Status.values
                },
                **{
                    age: Count("pk", filter=open_finding & condition)
                    for age, condition in ages.items()
                },
            )
        }
        action_rows = {
            row["force"]: row
            for row in actions.order_by()
            .values("force")
            .annotate(
                total=Count("pk"),
                closed=Count("pk", filter=Q(status__in=Action.CLOSED_STATUSES)),
                overdue=Count(
                    "pk",
                    filter=Q(status__in=Action.UNFINISHED_STATUSES, deadline__lt=today),
                ),
                overdue_inspectorate=Count(
                    "pk",
                    filter=Q(
                        status__in=Action.UNFINISHED_STATUSES,
                        deadline__lt=today,
                        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
                    ),
                ),
            )
        }
        return (
            finding_rows,
            action_rows,
            [
                charts.open_and_completed(actions, today),
                charts.deadlines_ahead(actions, today),
            ],
        )

    finding_rows, action_rows, national_charts = _national("figures", today, figures)
    forces = [
        {
            "force": force,
            "findings": finding_rows.get(force.pk, {}),
            "actions": action_rows.get(force.pk, {}),
        }
        for force in visible_forces(user)
    ]
    totals = {
        "findings": {
            key: sum(row["findings"].get(key, 0) for row in forces)
            for key in ["total", *Finding.Status.values, *ages]
        },
        "actions": {
            key: sum(row["actions"].get(key, 0) for row in forces)
            for key in ["total", "closed", "overdue", "overdue_inspectorate"]
        },
    }
    theme = None
    theme_rows = []
    themes = Theme.objects.all()
    if request.GET.get("theme"):
        if not slug_re.match(request.GET["theme"]):
            raise Http404("No such theme.")
        theme = get_visible_or_404(themes, slug=request.GET["theme"])
        theme_rows = (
            findings.filter(themes=theme)
            .select_related("force", "inspection")
            .annotate(
                action_count=Count("actions"),
                closed_count=Count(
                    "actions", filter=Q(actions__status__in=Action.CLOSED_STATUSES)
                ),
            )
            .order_by("force__name", "reference")
        )
    return render(
        request,
        "tracker/national.html",
        {
            "forces": forces,
            "totals": totals,
            "finding_statuses": Finding.Status.choices,
            "themes": themes,
            "theme": theme,
            "theme_rows": theme_rows,
            "charts": national_charts,
        },
    )


@login_required
def calendar_settings(request):
    """The person's private calendar address, which they can reset or revoke."""
    if request.method == "POST":
        if request.POST.get("do") == "revoke":
            services.calendar_token_revoke(request.user)
            messages.success(request, "Your calendar address no longer works.")
        elif request.user.calendar_token:
            services.calendar_token_reset(request.user)
            messages.success(
                request, "You have a new calendar address; the old one no longer works."
            )
        else:
            services.calendar_token_reset(request.user)
            messages.success(
                request, "You have a calendar address: add it to your calendar below."
            )
        return redirect("tracker:calendar")
    feed_url = None
    if request.user.calendar_token:
        feed_url = request.build_absolute_uri(
            reverse("tracker:calendar-feed", args=[request.user.calendar_token])
        )
    return render(request, "tracker/calendar.html", {"feed_url": feed_url})


@require_safe
def calendar_feed(request, token):
    """An iCalendar feed of the person's deadlines. The secret in the address is the key."""
    user = (
        User.objects.filter(calendar_token=token, is_active=True)
        .select_related("force")
        .first()
    )
    if user is None:
        raise Http404("This calendar address is not valid any more.")
    body = calendar_for(user, calendar_actions(user), site_url=settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="peel-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
