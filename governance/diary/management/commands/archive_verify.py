from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.diary.archive import package_verify


class Command(BaseCommand):
    help = "Kontrollera ett arkivpaket: kontrollsummorna i SHA256SUMS och erms.xml, och att erms.xml följer ERMS-schemat."

    def add_arguments(self, parser):
        parser.add_argument("package", help="Arkivpaketet (zip).")

    def handle(self, *args, package: str, **options):
        path = Path(package)
        if not path.is_file():
            raise CommandError(f"Filen finns inte: {path}")
        problems = package_verify(path.read_bytes())
        if problems:
            raise CommandError("Arkivpaketet är inte helt:\n" + "\n".join(problems))
        self.stdout.write(
            f"{path}: paketet är helt; alla kontrollsummor stämmer och erms.xml följer schemat."
        )
