"""/api/v1/: bearer tokens only, so every view is exempt from the staff sign-in (and its
session checks: idle expiry, second factor), and from session CSRF (DRF's views are)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from api import case_views, import_views, views
from api.docs import ApiDocsView
from api.errors import api_not_found

app_name = "api"


def open_view(view_class, **kwargs):
    return login_not_required(view_class.as_view(**kwargs))


urlpatterns = [
    path("openapi.json", open_view(SpectacularJSONAPIView), name="schema"),
    path("docs/", open_view(ApiDocsView, url_name="api:schema"), name="docs"),
    path("contacts/", open_view(views.ContactListView), name="contacts"),
    path("contacts/export/", open_view(views.ContactExportView), name="contacts_export"),
    path("contacts/<int:pk>/", open_view(views.ContactDetailView), name="contact"),
    path("contacts/<int:pk>/archive/", open_view(views.ContactArchiveView), name="contact_archive"),
    path("contacts/<int:pk>/duplicates/", open_view(views.ContactDuplicatesView), name="contact_duplicates"),
    path("contacts/<int:pk>/merge/", open_view(views.ContactMergeView), name="contact_merge"),
    path("contacts/<int:pk>/activity/", open_view(views.ContactActivityView), name="contact_activity"),
    path(
        "contacts/<int:pk>/compliance-report/", open_view(views.ComplianceReportView), name="contact_compliance_report"
    ),
    path("contacts/<int:pk>/tasks/", open_view(case_views.ContactTasksView), name="contact_tasks"),
    path(
        "contacts/<int:pk>/tasks/<int:task_id>/fill/",
        open_view(case_views.ContactTaskFillView),
        name="contact_task_fill",
    ),
    path("contacts/<int:pk>/cases/", open_view(case_views.ContactCasesView), name="contact_cases"),
    path("duplicates/", open_view(views.DuplicateQueueView), name="duplicates"),
    path("duplicates/dismiss/", open_view(views.DuplicateDismissView), name="duplicates_dismiss"),
    path("merges/<int:pk>/undo/", open_view(views.MergeUndoView), name="merge_undo"),
    path("imports/", open_view(import_views.ImportUploadView), name="imports"),
    path("imports/<int:pk>/", open_view(import_views.ImportDetailView), name="import"),
    path("imports/<int:pk>/preview/", open_view(import_views.ImportPreviewView), name="import_preview"),
    path("imports/<int:pk>/run/", open_view(import_views.ImportRunView), name="import_run"),
    path("cases/", open_view(case_views.CaseListView), name="cases"),
    path("cases/<int:pk>/", open_view(case_views.CaseDetailView), name="case"),
    path("cases/<int:pk>/tasks/", open_view(case_views.CaseTasksView), name="case_tasks"),
    path(
        "cases/<int:case_id>/contacts/<int:contact_id>/share-link/",
        open_view(case_views.ShareLinkView),
        name="share_link",
    ),
    re_path(r"^(?P<rest>.*)$", api_not_found, name="not_found"),
]
