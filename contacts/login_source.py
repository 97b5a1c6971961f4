"""The one definition of a contact's Login Source, used by the model, the list filter,
the export and the API."""

from django.db import models


class LoginSource(models.TextChoices):
    WEB = "web", "Web"
    MOBILE = "mobile", "Mobile"
    WEB_MOBILE = "web_mobile", "Web & Mobile"
    NOT_INSTALLED = "not_installed", "Not Installed"


# The filter's options, in the order staff see them; "all" means no filter.
FILTER_CHOICES = [("all", "All"), *LoginSource.choices]


def derive_login_source(*, web_last_login_at, mobile_last_login_at) -> str:
    """Web = only web portal logins, Mobile = only mobile, both = Web & Mobile, none = Not Installed."""
    if web_last_login_at and mobile_last_login_at:
        return LoginSource.WEB_MOBILE
    if web_last_login_at:
        return LoginSource.WEB
    if mobile_last_login_at:
        return LoginSource.MOBILE
    return LoginSource.NOT_INSTALLED


def filter_by_login_source(queryset, value: str | None):
    """Apply ?login_source=…; 'all', empty or unknown values leave the queryset alone."""
    if value in LoginSource.values:
        return queryset.filter(login_source=value)
    return queryset
