"""BK-3: list any two occupying occurrences that overlap in one room; exit 1 if any."""

from django.core.management.base import BaseCommand, CommandError

from bookings.overlaps import overlaps_find


class Command(BaseCommand):
    help = "Scan every occupying occurrence for double bookings; exit non-zero if any."

    def handle(self, *args, **options) -> None:
        found = 0
        for overlap in overlaps_find():
            found += 1
            self.stdout.write(str(overlap))
        if found:
            raise CommandError(f"{found} overlapping pair(s) of occurrences found.")
        self.stdout.write(self.style.SUCCESS("No room is double-booked."))
