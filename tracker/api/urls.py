"""/api/v1/: the endpoints, the OpenAPI schema and its documentation page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from ..views.moves import ACTION_MOVES, FINDING_MOVES
from . import views

app_name = "api"

router = SimpleRouter()
router.register("forces", views.ForceViewSet, basename="force")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("actions", views.ActionViewSet, basename="action")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register(
    "deadline-changes", views.DeadlineChangeViewSet, basename="deadline-change"
)


def _one_of(slugs) -> str:
    return "|".join(slugs)


urlpatterns = [
    re_path(
        rf"^actions/(?P<pk>[0-9]+)/(?P<move>{_one_of(ACTION_MOVES)})/$",
        views.ActionMoveView.as_view(),
        name="action-move",
    ),
    re_path(
        rf"^findings/(?P<pk>[0-9]+)/(?P<move>{_one_of(FINDING_MOVES)})/$",
        views.FindingMoveView.as_view(),
        name="finding-move",
    ),
    *router.urls,
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema",
            permission_classes=[AllowAny],
            template_name="api/swagger_ui.html",
        ),
        name="docs",
    ),
]
