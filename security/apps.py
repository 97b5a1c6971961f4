from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "Security log"

    def ready(self):
        from security import signals  # noqa: F401  (records sign-ins, lockouts and role changes)
