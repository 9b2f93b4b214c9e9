from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.decisions.services.scale import MAX_MUNICIPALITIES, scale_data_load


class Command(BaseCommand):
    help = (
        "Skapa påhittad skalningsdata genom tjänsterna: N kommuner (länets 26 verkliga och resten påhittade, "
        "kod 9001–), R rekommendationer med historik till alla, några ärenden med lång historik. Idempotent; "
        "kör load_origo först. Exempel: manage.py make_scale_data 290 --recommendations 50"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "municipalities", type=int, help=f"antal kommuner i allt (högst {MAX_MUNICIPALITIES})"
        )
        parser.add_argument(
            "--recommendations", type=int, default=5, help="antal rekommendationer (standard 5)"
        )
        parser.add_argument(
            "--long-events",
            type=int,
            default=100,
            help="antal händelser i de få ärendena med lång historik (standard 100)",
        )

    def handle(self, *args, municipalities: int, recommendations: int, long_events: int, **options):
        try:
            result = scale_data_load(
                municipalities=municipalities, recommendations=recommendations, long_events=long_events
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            f"Skalningsdata: {result.municipalities_created} nya kommuner, {result.population_rows} nya "
            f"folkmängdsrader, {result.recommendations_created} nya rekommendationer med {result.events} "
            f"händelser; ärenden med lång historik: {', '.join(map(str, result.long_history_cases)) or '–'}."
        )
