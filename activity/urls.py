from django.urls import path

from activity import views

app_name = "activity"
urlpatterns = [
    path("contacts/<int:pk>/compliance-report/", views.compliance_report_view, name="compliance_report"),
    path("contacts/<int:pk>/dnc-check/", views.dnc_check_view, name="dnc_check"),
    path("dnc/", views.dnc_lists_view, name="dnc_lists"),
]
