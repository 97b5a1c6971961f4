from django.urls import path

from activity import views as activity_views
from contacts import export_views, views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list_view, name="list"),
    path("duplicates/", views.duplicates_view, name="duplicates"),
    path("export/", export_views.export_view, name="export"),
    path("export/<str:job_id>/", export_views.export_job_view, name="export_job"),
    path("export/<str:job_id>/download/", export_views.export_download_view, name="export_download"),
    path("<int:pk>/", views.contact_detail_view, name="detail"),
    path("<int:pk>/cases/", views.contact_cases_view, name="cases"),
    path("<int:pk>/tasks/", views.contact_tasks_view, name="tasks"),
    path("<int:pk>/activity/", activity_views.contact_activity_view, name="activity"),
]
