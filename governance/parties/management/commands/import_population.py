from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.parties.services import PopulationImportError, population_import


class Command(BaseCommand):
    help = (
        "Läs in folkmängd från en CSV-fil med kolumnerna municipality_code,municipality,reference_date,population "
        "(SCB:s format i shared/data). Felaktiga rader anges med radnummer och inget läses in."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="SCB", help="Källa att ange för siffrorna (standard: SCB).")

    def handle(self, *args, file: Path, source: str, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise CommandError(f"Filen {file} finns inte.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"Filen {file} är inte UTF-8-kodad text.") from exc
        try:
            result = population_import(acting_user=None, text=text, source=source)
        except PopulationImportError as exc:
            raise CommandError("Inget lästes in:\n" + "\n".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Folkmängd inläst för {len(result.dates)} datum: {result.created} nya, "
                f"{result.updated} ändrade, {result.unchanged} oförändrade."
            )
        )
