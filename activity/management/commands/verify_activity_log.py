from django.core.management.base import BaseCommand, CommandError

from activity.models import ActivityEvent
from activity.services import verify_chain


class Command(BaseCommand):
    help = (
        "Re-compute the activity log's hash chain; exit non-zero naming the first broken event. "
        "Prints the head (last event and its hash): keep it elsewhere and pass it back with "
        "--expect-head to also catch events deleted from the end of the log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--expect-head", metavar="HASH", help="a head hash printed by an earlier run")

    def handle(self, *args, expect_head=None, **options):
        def progress(count):
            if options["verbosity"] > 1:
                self.stdout.write(f"{count:,} events verified…")

        broken = verify_chain(progress=progress)
        if broken is not None:
            raise CommandError(
                f"Activity log chain broken at event #{broken.pk} ({broken.occurred_at:%Y-%m-%d %H:%M:%S}): "
                "it, or the event before it, was edited or deleted outside the application."
            )
        if expect_head and not ActivityEvent.objects.filter(hash=expect_head).exists():
            raise CommandError(
                f"The earlier head {expect_head[:16]}… is no longer in the activity log: "
                "events were deleted from its end outside the application."
            )
        head = ActivityEvent.objects.order_by("-id").values_list("id", "hash").first()
        self.stdout.write(f"Activity log intact: {ActivityEvent.objects.count()} events verified.")
        if head:
            self.stdout.write(f"Head: event #{head[0]}, hash {head[1]}")
