from django.urls import path

from . import views, views_import, views_reminders

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("forces/<slug:slug>/", views.force_detail, name="force-detail"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path(
        "findings/<int:pk>/supersede/",
        views.finding_supersede,
        name="finding-supersede",
    ),
    path("findings/<int:pk>/<slug:move>/", views.finding_move, name="finding-move"),
    path("actions/", views.action_list, name="action-list"),
    path("actions/export.<str:fmt>", views.action_export, name="action-export"),
    path("actions/<int:pk>/", views.action_detail, name="action-detail"),
    path(
        "actions/<int:pk>/updates/", views.action_add_update, name="action-add-update"
    ),
    path("actions/<int:pk>/assign/", views.action_assign, name="action-assign"),
    path(
        "actions/<int:pk>/deadline-change/",
        views.action_request_deadline,
        name="action-request-deadline",
    ),
    path("actions/<int:pk>/<slug:move>/", views.action_move, name="action-move"),
    path(
        "deadline-changes/<int:pk>/decide/",
        views.deadline_request_decide,
        name="deadline-request-decide",
    ),
    path("national/", views.national, name="national"),
    path("import/", views_import.import_start, name="import-start"),
    path("import/<str:token>/", views_import.import_preview, name="import-preview"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("reminders/", views_reminders.my_reminders, name="my-reminders"),
]
