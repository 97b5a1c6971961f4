from django.urls import path
from django.views.generic import RedirectView

from activity import views

app_name = "activity"
urlpatterns = [
    path("contacts/<int:pk>/compliance-report/", views.compliance_report_view, name="compliance_report"),
    path("contacts/<int:pk>/dnc-check/", views.dnc_check_view, name="dnc_check"),
    # The lists moved to Settings → Do-Not-Call lists; old bookmarks follow them.
    path(
        "dnc/", RedirectView.as_view(pattern_name="settings:dnc", permanent=True, query_string=True), name="dnc_lists"
    ),
]
