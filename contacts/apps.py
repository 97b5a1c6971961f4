from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self):
        from contacts.roles import ensure_roles

        post_migrate.connect(ensure_roles, dispatch_uid="contacts.ensure_roles")

        from contacts import duplicate_signals  # noqa: F401  (connects the queue's refresh)
        from contacts.search_index import ensure_search_index

        post_migrate.connect(ensure_search_index, sender=self, dispatch_uid="contacts.ensure_search_index")
