"""What the API shows of each object, and what a write takes.

Read serializers only show; a write is a small input serializer whose data is
handed to a service, which checks and saves.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    Action,
    DeadlineChangeRequest,
    Evidence,
    Finding,
    FindingEvent,
    Force,
    Inspection,
    ProgressUpdate,
    User,
    rag_label,
)


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]


class ForceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Force
        fields = ["id", "code", "name", "short_name", "slug", "kind"]


class InspectionSerializer(serializers.ModelSerializer):
    force = serializers.SlugRelatedField(slug_field="code", read_only=True)
    overall_grade_label = serializers.CharField(
        source="get_overall_grade_display", read_only=True
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "force",
            "programme",
            "pillar",
            "title",
            "published_on",
            "source_reference",
            "overall_grade",
            "overall_grade_label",
            "updated_at",
        ]


class FindingEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    author = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = FindingEvent
        fields = [
            "id",
            "kind",
            "kind_label",
            "from_status",
            "to_status",
            "text",
            "occurred_on",
            "published_status",
            "author",
            "created_at",
        ]


class FindingSerializer(serializers.ModelSerializer):
    force = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    question = serializers.CharField(source="question.text", default=None)
    addressees = serializers.SerializerMethodField()
    national_reference = serializers.CharField(
        source="national.reference", default=None
    )
    superseded_by = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    timeline = FindingEventSerializer(source="events", many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "reference",
            "force",
            "inspection",
            "question",
            "parent",
            "kind",
            "kind_label",
            "text",
            "addressed_as",
            "addressees",
            "national_reference",
            "status",
            "status_label",
            "status_changed_at",
            "superseded_by",
            "timeline",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_addressees(self, finding: Finding) -> list[str]:
        """Who was sent a copy of the national finding this is one copy of."""
        return list(finding.national.addressees) if finding.national else []


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "link", "download_url"]

    def get_name(self, evidence: Evidence) -> str:
        return evidence.original_name or evidence.link

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, evidence: Evidence) -> str | None:
        """The app's own address, which checks who asks: never the storage's."""
        if not evidence.file:
            return None
        path = reverse("tracker:evidence-download", args=[evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ProgressUpdateSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    author = PersonSerializer(read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "action",
            "kind",
            "kind_label",
            "author",
            "text",
            "from_status",
            "to_status",
            "percent_complete",
            "evidence",
            "created_at",
        ]


class ActionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    force = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = PersonSerializer(read_only=True, allow_null=True)
    contributors = PersonSerializer(many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    deadline_set_by_label = serializers.CharField(
        source="get_deadline_set_by_display", read_only=True
    )
    rag = serializers.CharField(read_only=True)
    rag_label = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "reference",
            "force",
            "inspection",
            "finding",
            "parent",
            "title",
            "description",
            "deliverable",
            "owner",
            "contributors",
            "deadline",
            "deadline_wording",
            "deadline_set_by",
            "deadline_set_by_label",
            "status",
            "status_label",
            "percent_complete",
            "rag",
            "rag_label",
            "done_on",
            "last_progress_at",
            "version",
            "updated_at",
        ]

    def get_rag_label(self, action: Action) -> str:
        """The red/amber/green rating in words."""
        return rag_label(action.rag, action.deadline, action.done_on)


class DeadlineChangeRequestSerializer(serializers.ModelSerializer):
    requested_by = PersonSerializer(read_only=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = DeadlineChangeRequest
        fields = [
            "id",
            "action",
            "requested_by",
            "current_deadline",
            "new_deadline",
            "reason",
            "status",
            "status_label",
            "decided_by",
            "decided_at",
            "decision_comment",
            "created_at",
        ]


# What a write takes ------------------------------------------------------------------


class ProgressInput(serializers.Serializer):
    text = serializers.CharField(max_length=10000)
    percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )
    links = serializers.ListField(
        child=serializers.URLField(max_length=1000), required=False, max_length=20
    )
    version = serializers.IntegerField(
        min_value=1,
        help_text="The action's version you read: a percent from an older one is refused.",
    )


class ActionMoveInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, default=""
    )
    version = serializers.IntegerField(
        min_value=1,
        help_text="The action's version you read: a move from an older one is refused (409).",
    )


class FindingMoveInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, default=""
    )


class DeadlineChangeInput(serializers.Serializer):
    new_deadline = serializers.DateField()
    reason = serializers.CharField(max_length=5000)


class DeadlineDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "refuse"])
    comment = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, default=""
    )
