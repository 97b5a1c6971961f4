"""URLs under /settings/ (firm settings: import, and more to come)."""

from django.urls import path

from contacts import views

app_name = "import"
urlpatterns = [
    path("import/", views.import_view, name="start"),
]
