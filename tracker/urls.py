from django.urls import path

from . import views

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("forces/<slug:slug>/", views.force_detail, name="force-detail"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("actions/<int:pk>/", views.action_detail, name="action-detail"),
]
