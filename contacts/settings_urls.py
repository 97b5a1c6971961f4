"""URLs under /settings/ (firm settings: the import wizard)."""

from django.urls import path

from contacts import import_views

app_name = "import"
urlpatterns = [
    path("import/", import_views.import_start_view, name="start"),
    path("import/<int:pk>/map/", import_views.import_map_view, name="map"),
    path("import/<int:pk>/progress/", import_views.import_progress_view, name="progress"),
    path("import/<int:pk>/status/", import_views.import_status_view, name="status"),
    path("import/<int:pk>/preview/", import_views.import_preview_view, name="preview"),
    path("import/<int:pk>/run/", import_views.import_run_view, name="run"),
    path("import/<int:pk>/cancel/", import_views.import_cancel_view, name="cancel"),
    path("import/<int:pk>/result/", import_views.import_result_view, name="result"),
    path("import/<int:pk>/rejected.csv", import_views.import_rejected_view, name="rejected"),
    path("import/<int:pk>/undo/", import_views.import_undo_view, name="undo"),
]
