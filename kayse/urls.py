from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from activity import views as activity_views
from contacts import settings_views as contacts_settings
from firm import views as firm_views
from kayse import views

admin.site.site_header = "Kayse administration"
admin.site.site_title = "Kayse"

# Settings: each section's view lives in the app whose data it shows; the import wizard keeps
# its own namespace ("import", contacts.settings_urls) under the same /settings/ prefix.
settings_urlpatterns = [
    path("", firm_views.settings_index_view, name="index"),
    path("portal/", firm_views.section_view, {"section": "portal"}, name="portal"),
    path("calling-windows/", firm_views.section_view, {"section": "calling"}, name="calling_windows"),
    path("duplicates/", contacts_settings.duplicate_rules_view, name="duplicates"),
    path("duplicates/learn/", contacts_settings.duplicate_model_train_view, name="duplicates_train"),
    path("dnc/", activity_views.dnc_lists_view, name="dnc"),
    path("users/", contacts_settings.users_view, name="users"),
    path("users/<int:pk>/role/", contacts_settings.user_role_view, name="user_role"),
    path("users/<int:pk>/active/", contacts_settings.user_active_view, name="user_active"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contacts:list", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("contacts/", include("contacts.urls")),
    path("activity/", include("activity.urls")),
    path("cases/", include("cases.urls")),
    path("", include("documents.urls")),
    path("settings/api/", include("api.settings_urls")),
    path("settings/", include("contacts.settings_urls")),
    path("settings/", include((settings_urlpatterns, "settings"))),
    path("", include("security.urls")),
    path("", include("portal.urls")),
]
