from django.urls import path

from activity import views as activity_views
from contacts import duplicate_views, export_views, views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list_view, name="list"),
    path("count/", views.contact_count_view, name="count"),
    path("columns/", views.contact_columns_view, name="columns"),
    path("new/", views.contact_create_view, name="create"),
    path("duplicates/", duplicate_views.duplicates_view, name="duplicates"),
    path("duplicates/scan/", duplicate_views.scan_view, name="duplicates_scan"),
    path("duplicates/scan/status/", duplicate_views.scan_status_view, name="duplicates_scan_status"),
    path("duplicates/dismiss/", duplicate_views.dismiss_view, name="duplicates_dismiss"),
    path("duplicates/bulk-merge/", duplicate_views.bulk_merge_view, name="duplicates_bulk_merge"),
    path("duplicates/group/", duplicate_views.group_merge_view, name="duplicates_group"),
    path("duplicates/group/done/", duplicate_views.group_merge_done_view, name="duplicates_group_done"),
    path("merges/<int:record_id>/", duplicate_views.merge_done_view, name="merge_done"),
    path("merges/<int:record_id>/undo/", duplicate_views.merge_undo_view, name="merge_undo"),
    path("<int:pk>/merge/", duplicate_views.merge_view, name="merge"),
    path("export/", export_views.export_view, name="export"),
    path("export/<str:job_id>/", export_views.export_job_view, name="export_job"),
    path("export/<str:job_id>/download/", export_views.export_download_view, name="export_download"),
    path("<int:pk>/", views.contact_detail_view, name="detail"),
    path("<int:pk>/edit/", views.contact_edit_view, name="edit"),
    path("<int:pk>/enrich/", views.contact_enrich_view, name="enrich"),
    path("<int:pk>/archive/", views.contact_archive_view, name="archive"),
    path("<int:pk>/cases/", views.contact_cases_view, name="cases"),
    path("<int:pk>/cases/link/", views.contact_link_case_view, name="link_case"),
    path("<int:pk>/tasks/", views.contact_tasks_view, name="tasks"),
    path("<int:pk>/tasks/<int:task_id>/fill/", views.contact_task_fill_view, name="task_fill"),
    path("<int:pk>/activity/", activity_views.contact_activity_view, name="activity"),
]
