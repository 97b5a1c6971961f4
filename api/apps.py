from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API and webhooks"

    def ready(self):
        from api import schema, webhooks  # noqa: F401  (the schema's bearer scheme; events → webhooks)
