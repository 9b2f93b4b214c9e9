import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.meetings.choices import FigureCategory
from governance.meetings.services import followup_report_record, suppressed


class Command(BaseCommand):
    help = (
        "Läs in en kvartals uppföljning (endast sammanräknade tal) från CSV med kolumnerna "
        "category;label;value, där category är " + ", ".join(FigureCategory.values) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, required=True)

    def handle(self, *args, file: Path, year: int, quarter: int, **options):
        try:
            rows = list(csv.DictReader(file.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
        except FileNotFoundError as exc:
            raise CommandError(f"Filen {file} finns inte.") from exc
        figures, errors = [], []
        for line, row in enumerate(rows, start=2):
            try:
                figures.append((row["category"].strip(), row["label"].strip(), int(row["value"])))
            except (KeyError, ValueError, AttributeError):
                errors.append(f"Rad {line}: ska vara category;label;value med ett heltal.")
        if errors:
            raise CommandError("Inget lästes in:\n" + "\n".join(errors))
        try:
            report = followup_report_record(acting_user=None, year=year, quarter=quarter, figures=figures)
        except ValidationError as exc:
            raise CommandError("Inget lästes in:\n" + "\n".join(exc.messages)) from exc
        shown = ", ".join(f"{f.label} {suppressed(f.value)}" for f in report.figures.all()[:6])
        self.stdout.write(f"{report}: {len(figures)} tal inlästa ({shown} …).")
