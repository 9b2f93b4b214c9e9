from django.core.management.base import BaseCommand, CommandError

from governance.core.backup import BackupError, restore_run


class Command(BaseCommand):
    help = (
        "Återställ en säkerhetskopia från backup: kontrollsummorna kontrolleras först, sedan återställs "
        "databasen och filerna, och granskningsloggen och filerna kontrolleras."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Säkerhetskopians katalog (OUT/<tidpunkt>).")
        parser.add_argument("--yes", action="store_true", help="Skriv över en databas som inte är tom.")

    def handle(self, *args, **options):
        try:
            report = restore_run(options["folder"], force=options["yes"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report.problems:
            raise CommandError(
                "Återställningen är klar men kontrollen hittade fel:\n"
                + "\n".join(f"- {problem}" for problem in report.problems)
            )
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write(
            self.style.SUCCESS(
                f"Återställt: granskningsloggen är intakt ({report.events} händelser), {report.media_files} "
                f"filer återställda, {report.files_checked} lagrade filer kontrollerade."
            )
        )
