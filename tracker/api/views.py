"""The API's endpoints: every queryset through the door, every write through a service."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.db.models.functions import Coalesce, TruncDate
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action as route
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..models import Action, FindingEvent, ProgressUpdate
from ..permissions import can_change_action, leads_force_of, may_decide_deadline
from ..selectors import (
    get_visible_or_404,
    visible_actions,
    visible_deadline_requests,
    visible_evidence,
    visible_findings,
    visible_forces,
    visible_inspections,
)
from ..views.moves import ACTION_MOVES, FINDING_MOVES
from . import serializers as s
from .filters import ActionFilterBackend, ApiActionFilter


class ForceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ForceSerializer

    def get_queryset(self):
        return visible_forces(self.request.user)


class InspectionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.InspectionSerializer

    def get_queryset(self):
        return visible_inspections(self.request.user).select_related("force")


def _timeline():
    """A finding's published timeline, in the order of `selectors.history.finding_timeline`."""
    return FindingEvent.objects.select_related("author").order_by(
        Coalesce("occurred_on", TruncDate("created_at")), "created_at", "pk"
    )


class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """Findings with whom they address and their published timeline."""

    serializer_class = s.FindingSerializer

    def get_queryset(self):
        return (
            visible_findings(self.request.user)
            .select_related("force", "question", "national", "superseded_by")
            .prefetch_related(Prefetch("events", queryset=_timeline()))
        )


def _actions(user):
    return (
        visible_actions(user)
        .with_rag()
        .select_related("force", "owner")
        .prefetch_related("contributors")
    )


class ActionViewSet(viewsets.ReadOnlyModelViewSet):
    """Actions (the tree by `parent`), filtered as the action list filters them."""

    serializer_class = s.ActionSerializer
    filter_backends = [ActionFilterBackend]
    filterset_class = ApiActionFilter

    def get_queryset(self):
        return _actions(self.request.user)

    @extend_schema(methods=["GET"], responses=s.ProgressUpdateSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=s.ProgressInput,
        responses={201: s.ProgressUpdateSerializer},
        description="Record progress, as the action's page does (evidence as links).",
    )
    @route(detail=True, methods=["get", "post"], filter_backends=[])
    def updates(self, request: Request, pk=None):
        action = self.get_object()
        if request.method == "POST":
            return self._record_progress(request, action)
        updates = (
            ProgressUpdate.objects.filter(action=action)
            .select_related("author")
            .prefetch_related("evidence")
        )
        page = self.paginate_queryset(updates)
        serializer = s.ProgressUpdateSerializer(
            page, many=True, context=self.get_serializer_context()
        )
        return self.get_paginated_response(serializer.data)

    def _record_progress(self, request: Request, action: Action) -> Response:
        if not can_change_action(request.user, action):
            raise PermissionDenied(
                "Only the action's owner, its contributors and the force lead can "
                "record progress."
            )
        data = _valid(s.ProgressInput, request)
        update = services.action_record_progress(
            request.user,
            action,
            text=data["text"],
            percent=data.get("percent"),
            links=data.get("links", []),
            expected_version=data["version"],
        )
        return Response(
            s.ProgressUpdateSerializer(
                update, context=self.get_serializer_context()
            ).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=s.DeadlineChangeInput,
        responses={201: s.DeadlineChangeRequestSerializer},
        description="The force lead asks to move a deadline the inspectorate set.",
    )
    @route(
        detail=True, methods=["post"], url_path="deadline-change", filter_backends=[]
    )
    def deadline_change(self, request: Request, pk=None):
        action = self.get_object()
        if not leads_force_of(request.user, action):
            raise PermissionDenied("Only the force lead can ask for a deadline change.")
        data = _valid(s.DeadlineChangeInput, request)
        change = services.deadline_change_request(
            request.user,
            action,
            new_deadline=data["new_deadline"],
            reason=data["reason"],
        )
        return Response(
            s.DeadlineChangeRequestSerializer(change).data,
            status=status.HTTP_201_CREATED,
        )


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class EvidenceViewSet(viewsets.ReadOnlyModelViewSet):
    """Evidence's name, type, size and link; a file is fetched from `download_url`."""

    serializer_class = s.EvidenceSerializer

    def get_queryset(self):
        return visible_evidence(self.request.user)


class DeadlineChangeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.DeadlineChangeRequestSerializer

    def get_queryset(self):
        return visible_deadline_requests(self.request.user).select_related(
            "requested_by", "decided_by"
        )

    @extend_schema(
        request=s.DeadlineDecisionInput,
        responses=s.DeadlineChangeRequestSerializer,
        description="An inspector approves or refuses a deadline change.",
    )
    @route(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None):
        change = self.get_object()
        if not may_decide_deadline(request.user):
            raise PermissionDenied("Only an inspector can decide a deadline change.")
        data = _valid(s.DeadlineDecisionInput, request)
        change = services.deadline_change_decide(
            request.user,
            change,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        )
        return Response(s.DeadlineChangeRequestSerializer(change).data)


class ActionMoveView(APIView):
    """A workflow move on an action, as its page's button makes it (tracker.views.moves)."""

    @extend_schema(
        request=s.ActionMoveInput,
        responses=s.ActionSerializer,
        parameters=[
            OpenApiParameter(
                "move", str, OpenApiParameter.PATH, enum=list(ACTION_MOVES)
            )
        ],
    )
    def post(self, request: Request, pk: int, move: str):
        action = get_visible_or_404(
            visible_actions(request.user).select_related("force", "finding"), pk=pk
        )
        the_move = ACTION_MOVES[move]
        if not the_move.allowed(request.user, action):
            raise PermissionDenied("Your role does not allow this move on this action.")
        data = _valid(s.ActionMoveInput, request)
        the_move.service(
            request.user, action, data["text"], expected_version=data["version"]
        )
        moved = _actions(request.user).get(pk=pk)
        return Response(s.ActionSerializer(moved).data)


class FindingMoveView(APIView):
    """A closure move on a finding, as its page's button makes it."""

    @extend_schema(
        request=s.FindingMoveInput,
        responses=s.FindingSerializer,
        parameters=[
            OpenApiParameter(
                "move", str, OpenApiParameter.PATH, enum=list(FINDING_MOVES)
            )
        ],
    )
    def post(self, request: Request, pk: int, move: str):
        findings = visible_findings(request.user).select_related(
            "force", "question", "national", "superseded_by"
        )
        finding = get_visible_or_404(findings, pk=pk)
        the_move = FINDING_MOVES[move]
        if not the_move.allowed(request.user, finding):
            raise PermissionDenied(
                "Your role does not allow this move on this finding."
            )
        data = _valid(s.FindingMoveInput, request)
        the_move.service(request.user, finding, data["text"])
        moved = findings.prefetch_related(Prefetch("events", queryset=_timeline()))
        return Response(s.FindingSerializer(moved.get(pk=pk)).data)
