from django.urls import path

from contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list_view, name="list"),
    path("duplicates/", views.duplicates_view, name="duplicates"),
    path("<int:pk>/", views.contact_detail_view, name="detail"),
]
