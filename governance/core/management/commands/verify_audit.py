from django.core.management.base import BaseCommand, CommandError

from governance.core.queries import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Räkna om granskningsloggens hashkedja, jämför den med kedjans huvud och det senaste ankaret, "
        "och ange den första brutna länken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="store_true",
            help="Skriv ett nytt ankare (fil och e-post till administratörerna) om kedjan är intakt.",
        )

    def handle(self, *args, **options):
        checked, broken = audit_chain_verify()
        if broken is not None:
            where = f" vid händelse {broken.event_id}" if broken.event_id is not None else ""
            raise CommandError(
                f"Granskningsloggen är bruten{where}: {broken.reason} "
                f"({checked} rader kontrollerade och intakta)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Granskningsloggen är intakt: {checked} händelser kontrollerade.")
        )
        if options["anchor"]:
            from governance.core.services import audit_anchor_write

            anchor = audit_anchor_write(note="manual", verify=False)
            self.stdout.write(f"Ankare skrivet: {anchor.line()}")
