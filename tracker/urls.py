from django.urls import path, re_path

from .views import (
    actions,
    authoring,
    bulk,
    calendar,
    findings,
    forces,
    home,
    imports,
    inspections,
    lists,
    national,
    notifications,
    papers,
    plans,
    queues,
    reminders,
    tokens,
    webhooks,
)

app_name = "tracker"

urlpatterns = [
    path("", home.home, name="home"),
    path("forces/<slug:slug>/", forces.force_detail, name="force-detail"),
    path(
        "inspections/<int:pk>/", inspections.inspection_detail, name="inspection-detail"
    ),
    path("findings/", lists.finding_list, name="finding-list"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding-detail"),
    path(
        "findings/<int:pk>/supersede/",
        findings.finding_supersede,
        name="finding-supersede",
    ),
    # Findings by hand (before the moves, whose slug would take "edit" and "remove").
    path("inspections/new/", authoring.inspection_add, name="inspection-add"),
    path(
        "inspections/<int:pk>/findings/new/",
        authoring.finding_add,
        name="finding-add",
    ),
    path(
        "inspections/<int:pk>/questions/new/",
        authoring.question_add,
        name="question-add",
    ),
    path(
        "inspections/<int:pk>/edit/", authoring.inspection_edit, name="inspection-edit"
    ),
    path(
        "inspections/<int:pk>/remove/",
        authoring.inspection_remove,
        name="inspection-remove",
    ),
    path("questions/<int:pk>/edit/", authoring.question_edit, name="question-edit"),
    path(
        "questions/<int:pk>/remove/", authoring.question_remove, name="question-remove"
    ),
    path("findings/<int:pk>/edit/", authoring.finding_edit, name="finding-edit"),
    path("findings/<int:pk>/remove/", authoring.finding_remove, name="finding-remove"),
    path("findings/<int:pk>/<slug:move>/", findings.finding_move, name="finding-move"),
    path("actions/", lists.action_list, name="action-list"),
    path("actions/bulk/", bulk.actions_bulk, name="actions-bulk"),
    path("actions/export.<str:fmt>", lists.action_export, name="action-export"),
    path("actions/<int:pk>/", actions.action_detail, name="action-detail"),
    path(
        "actions/<int:pk>/updates/", actions.action_add_update, name="action-add-update"
    ),
    path("actions/<int:pk>/assign/", actions.action_assign, name="action-assign"),
    path(
        "actions/<int:pk>/deadline-change/",
        actions.action_request_deadline,
        name="action-request-deadline",
    ),
    path("findings/<int:pk>/actions/new/", plans.action_new, name="action-new"),
    path("actions/<int:pk>/steps/new/", plans.step_new, name="step-new"),
    path("actions/<int:pk>/edit/", plans.action_edit, name="action-edit"),
    path("actions/<int:pk>/reorder/", plans.action_reorder, name="action-reorder"),
    path("forces/<slug:slug>/planning/", plans.force_planning, name="force-planning"),
    path("actions/<int:pk>/<slug:move>/", actions.action_move, name="action-move"),
    path(
        "deadline-changes/<int:pk>/decide/",
        actions.deadline_request_decide,
        name="deadline-request-decide",
    ),
    path("forces/<slug:slug>/pack/", papers.force_pack, name="force-pack"),
    path("inspections/<int:pk>/pack/", papers.inspection_pack, name="inspection-pack"),
    path("national/brief/", papers.national_brief_page, name="national-brief"),
    path("national/", national.national, name="national"),
    path("national/export.xlsx", national.national_export, name="national-export"),
    path(
        "national/findings/",
        national.national_finding_list,
        name="national-findings",
    ),
    path(
        "national/findings/<int:pk>/",
        national.national_finding_detail,
        name="national-finding",
    ),
    path("import/", imports.import_start, name="import-start"),
    path("import/<str:token>/", imports.import_preview, name="import-preview"),
    path("calendar/", calendar.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
    path("evidence/<int:pk>/", actions.evidence_download, name="evidence-download"),
    path("reminders/", reminders.my_reminders, name="my-reminders"),
    path("api-tokens/", tokens.api_tokens, name="api-tokens"),
    path(
        "api-tokens/<int:pk>/revoke/", tokens.api_token_revoke, name="api-token-revoke"
    ),
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/edit/", webhooks.webhook_edit, name="webhook-edit"),
    path("webhooks/<int:pk>/remove/", webhooks.webhook_remove, name="webhook-remove"),
    re_path(
        rf"^webhooks/(?P<pk>[0-9]+)/(?P<move>{'|'.join(webhooks.WEBHOOK_MOVES)})/$",
        webhooks.webhook_move,
        name="webhook-move",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/choices/",
        notifications.notification_preferences,
        name="notification-preferences",
    ),
    path(
        "notifications/read/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:pk>/",
        notifications.notification_open,
        name="notification-open",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    *(
        path(f"queues/{name}/", queues.queue, {"name": name}, name=f"queue-{name}")
        for name in queues.QUEUES
    ),
]
