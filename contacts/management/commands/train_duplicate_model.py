import sys

from django.core.management.base import BaseCommand

from contacts.dedupe.comparisons import COMPARISONS
from contacts.duplicates import active_model, train_and_store


class Command(BaseCommand):
    help = (
        "Re-estimate the duplicate model from the live contacts (no labels needed) and store it as "
        "the new version; prints what it learned and how it scores staff's past decisions."
    )

    def handle(self, *args, **options):
        stored = train_and_store()
        model = active_model()
        out = self.stdout
        out.write(
            f"Duplicate model {stored.version}: trained on {stored.contacts:,} contacts "
            f"({stored.compared_pairs:,} pairs compared) in {stored.seconds:.1f} s."
        )
        if model.version == "default" or stored.contacts < 1000:
            out.write("Fewer than 1,000 contacts: the built-in defaults are used until there are more.")
        share = model.household_share
        if model.households:
            detail = f" ({share:.0%} of people sharing an address and surname have another first name)" if share else ""
            out.write(f"Households: yes{detail}: family members at one address or phone are kept apart.")
        else:
            out.write(f"Households: no ({share:.0%} of people sharing an address and surname have another first name).")
        out.write(f"Prior: {model.lam:.2e} (the chance that two random contacts are one person).")
        out.write("Match weights (bits) per level:")
        for c, comparison in enumerate(COMPARISONS):
            levels = ", ".join(
                f"{label} {model.weights[c][level]:+.1f}"
                for level, (label, _kind) in enumerate(comparison.levels)
                if level
            )
            out.write(f"  {comparison.label}: {levels}")
        evaluation = stored.parameters.get("labels")
        if evaluation:
            out.write(evaluation["summary"])
        sys.stderr.flush()
