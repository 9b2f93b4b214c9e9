from django.core.management.base import BaseCommand, CommandError

from governance.core.queries import audit_chain_verify


class Command(BaseCommand):
    help = "Räkna om granskningsloggens hashkedja och ange den första brutna länken."

    def handle(self, *args, **options):
        checked, broken = audit_chain_verify()
        if broken is not None:
            raise CommandError(
                f"Granskningsloggen är bruten vid händelse {broken.event_id}: {broken.reason} "
                f"({checked} rader före den är intakta)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Granskningsloggen är intakt: {checked} händelser kontrollerade.")
        )
