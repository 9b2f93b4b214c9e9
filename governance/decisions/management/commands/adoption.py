from django.core.management.base import BaseCommand, CommandError

from governance.decisions.exports import matrix_csv, matrix_table
from governance.decisions.models import Recommendation
from governance.decisions.queries import dashboard


class Command(BaseCommand):
    help = "Skriv ut anslutningsmatrisen för en rekommendation (kommuner × steg) i terminalen."

    def add_arguments(self, parser):
        parser.add_argument(
            "recommendation",
            help="Rekommendationens kortnamn, t.ex. origo-2016, eller bara origo för den senaste.",
        )
        parser.add_argument("--format", choices=["table", "csv"], default="table")
        parser.add_argument("--overdue", action="store_true", help="Endast försenade ärenden.")

    def handle(self, *args, recommendation: str, format: str, overdue: bool, **options):
        found = (
            Recommendation.objects.filter(slug=recommendation).first()
            or Recommendation.objects.filter(slug__startswith=f"{recommendation}-")
            .order_by("-board_decision_date")
            .first()
        )
        if found is None:
            known = ", ".join(Recommendation.objects.order_by("slug").values_list("slug", flat=True)) or "–"
            raise CommandError(f"Det finns ingen rekommendation ”{recommendation}” (finns: {known}).")
        board = dashboard(found, overdue_only=overdue)
        self.stdout.write(matrix_csv(board, bom=False) if format == "csv" else matrix_table(board), ending="")
