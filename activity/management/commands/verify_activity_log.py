from django.core.management.base import BaseCommand, CommandError

from activity.models import ActivityEvent
from activity.services import verify_chain


class Command(BaseCommand):
    help = "Re-compute the activity log's hash chain; exit non-zero naming the first broken event."

    def handle(self, *args, **options):
        def progress(count):
            if options["verbosity"] > 1:
                self.stdout.write(f"{count:,} events verified…")

        broken = verify_chain(progress=progress)
        if broken is not None:
            raise CommandError(
                f"Activity log chain broken at event #{broken.pk} ({broken.occurred_at:%Y-%m-%d %H:%M:%S}): "
                "it, or the event before it, was edited or deleted outside the application."
            )
        self.stdout.write(f"Activity log intact: {ActivityEvent.objects.count()} events verified.")
