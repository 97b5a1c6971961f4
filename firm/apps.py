from django.apps import AppConfig


class FirmConfig(AppConfig):
    name = "firm"
    verbose_name = "Firm settings"

    def ready(self):
        from celery.signals import task_prerun
        from django.core.signals import request_started

        from firm.selectors import forget_firm_settings

        # Read once per request or task, never kept longer: a change applies to the next one.
        request_started.connect(forget_firm_settings, dispatch_uid="firm.forget_per_request")
        task_prerun.connect(forget_firm_settings, dispatch_uid="firm.forget_per_task", weak=False)
