from django.urls import path

from security import views

app_name = "security"
urlpatterns = [
    path("account/two-factor/", views.two_factor_view, name="two_factor"),
    path("account/two-factor/setup/", views.two_factor_setup_view, name="two_factor_setup"),
    path("account/two-factor/verify/", views.two_factor_verify_view, name="two_factor_verify"),
    path("account/two-factor/recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
    path("account/two-factor/disable/", views.two_factor_disable_view, name="two_factor_disable"),
    path("security/log/", views.security_log_view, name="log"),
]
