from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("<int:pk>/", views.case_detail_view, name="detail"),
    path("<int:pk>/contacts/", views.case_contacts_view, name="contacts"),
    # The case's tabs (Documents and Portal links are served by their own apps under /cases/<id>/).
    path("<int:pk>/tasks/", views.case_tasks_view, name="tasks"),
    path("<int:pk>/forms/", views.case_forms_view, name="forms"),
    path("<int:pk>/messages/", views.case_messages_view, name="messages"),
    path("<int:pk>/activity/", views.case_activity_view, name="activity"),
]
