from django.urls import path

from api import settings_views

app_name = "api_settings"
urlpatterns = [
    path("", settings_views.api_settings_view, name="index"),
    path("tokens/<int:pk>/revoke/", settings_views.token_revoke_view, name="token_revoke"),
    path("webhooks/<int:pk>/active/", settings_views.webhook_active_view, name="webhook_active"),
]
