from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("<int:pk>/", views.case_detail_view, name="detail"),
    path("<int:pk>/contacts/", views.case_contacts_view, name="contacts"),
]
