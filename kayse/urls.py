from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from kayse import views

admin.site.site_header = "Kayse administration"
admin.site.site_title = "Kayse"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contacts:list", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("contacts/", include("contacts.urls")),
    path("activity/", include("activity.urls")),
    path("cases/", include("cases.urls")),
    path("", include("documents.urls")),
    path("settings/", include("contacts.settings_urls")),
    path("", include("security.urls")),
    path("", include("portal.urls")),
]
