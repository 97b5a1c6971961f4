from django.urls import path

from activity import views as activity_views
from contacts import export_views, views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list_view, name="list"),
    path("count/", views.contact_count_view, name="count"),
    path("columns/", views.contact_columns_view, name="columns"),
    path("new/", views.contact_create_view, name="create"),
    path("duplicates/", views.duplicates_view, name="duplicates"),
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
