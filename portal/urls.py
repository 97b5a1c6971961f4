from django.urls import path

from portal import staff_views, views

app_name = "portal"
urlpatterns = [
    # Contact side: the link, then token-free portal pages.
    path("p/<str:token>/", views.entry_view, name="entry"),
    path("portal/", views.home_view, name="home"),
    path("portal/tasks/", views.tasks_view, name="tasks"),
    path("portal/tasks/<int:pk>/", views.task_view, name="task"),
    path("portal/documents/", views.documents_view, name="documents"),
    path("portal/messages/", views.messages_view, name="messages"),
    path("portal/appointments/", views.appointments_view, name="appointments"),
    path("portal/appointments/<int:pk>.ics", views.appointment_ics_view, name="appointment_ics"),
    path("portal/signout/", views.signout_view, name="signout"),
    path("portal/ended/", views.ended_view, name="ended"),
    path("portal/manifest.webmanifest", views.manifest_view, name="manifest"),
    # Staff side, on the case page.
    path("cases/<int:case_id>/share/<int:contact_id>/", staff_views.share_view, name="share"),
    path("cases/<int:case_id>/links/", staff_views.case_links_view, name="case_links"),
    path("cases/<int:case_id>/links/<int:link_id>/revoke/", staff_views.revoke_view, name="revoke"),
    path("cases/<int:case_id>/links/<int:link_id>/resend/", staff_views.resend_view, name="resend"),
    path("cases/<int:case_id>/messages/<int:contact_id>/reply/", staff_views.reply_view, name="reply"),
    path("dev/outbox/", staff_views.dev_outbox_view, name="dev_outbox"),
]
