import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from governance.agreements.services import agreement_load
from governance.decisions.services import adoption_history_load, document_profiles_load
from governance.decisions.services.demo import demo_round_load
from governance.meetings.services import body_load, demo_meetings_load
from governance.parties.services import persona_load, population_import, registry_load

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def load_json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Command(BaseCommand):
    help = "Läs in Origo-data: parter, organ, folkmängd (SCB), avtal med kostnadsmodeller och demoanvändare. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-demo-users", action="store_true", help="Skapa inga demoanvändare och inga demoledamöter."
        )

    def handle(self, *args, no_demo_users: bool, **options):
        try:
            with transaction.atomic():
                counts = registry_load(
                    acting_user=None, organisations=load_json("parties.json")["organisations"]
                )
                profiles = document_profiles_load(
                    acting_user=None, profiles=load_json("document_profiles.json")["profiles"]
                )
                population = population_import(
                    acting_user=None,
                    text=(FIXTURES / "population_stockholms_lan.csv").read_text(encoding="utf-8"),
                )
                created = [
                    agreement_load(acting_user=None, data=data)
                    for data in load_json("agreements.json")["agreements"]
                ]
                personas = load_json("personas.json")
                users = (
                    []
                    if no_demo_users
                    else [
                        persona_load(acting_user=None, persona=persona, password=personas["password"])
                        for persona in personas["personas"]
                    ]
                )
                history = adoption_history_load(acting_user=None, data=load_json("adoption.json"))
                bodies = (
                    []
                    if no_demo_users
                    else [
                        body_load(acting_user=None, data=data) for data in load_json("bodies.json")["bodies"]
                    ]
                )
                demo_meetings = {"created": 0} if no_demo_users else demo_meetings_load(acting_user=None)
                demo_round = (
                    {"recommendations": 0, "events": 0}
                    if no_demo_users
                    else demo_round_load(acting_user=None)
                )
                call_command("search_reindex", stdout=self.stdout)  # the index, rebuilt from what is loaded
        except ValidationError as exc:  # PopulationImportError included: nothing was loaded
            raise CommandError("Inget lästes in:\n" + "\n".join(exc.messages)) from exc
        self.stdout.write(
            f"Parter: {counts['organisations_created']} nya, {counts['organisations_updated']} ändrade; "
            f"organ: {counts['bodies_created']} nya; tidigare namn: {counts['names_recorded']} nya; "
            f"dokumentprofiler: {profiles}; folkmängd: {population.created} nya, "
            f"{population.updated} ändrade; avtal: {sum(1 for _a, new in created if new)} nya; "
            f"ledamotskap: {sum(added for _b, added in bodies)} nya; "
            f"demomöten: {demo_meetings['created']} nya; remissvar: {history['responses']} nya; "
            f"rekommendationer: {history['recommendations']} nya med {history['events']} händelser; "
            + (
                f"demoomgång i dag: inläst med {demo_round['events']} händelser."
                if demo_round["recommendations"]
                else "demoomgång: fanns redan."
            )
        )
        if users:
            # Roles and seats by their Swedish names, never by their keys (``ksl_officer``, ``chair``).
            from governance.core.calendar import today
            from governance.meetings.choices import MembershipRole
            from governance.parties.choices import Role

            seats: dict[str, list[str]] = {}
            for body in load_json("bodies.json")["bodies"]:
                for seat in body["members"]:
                    if "username" in seat and seat.get("to", "9999") >= today().isoformat():
                        seats.setdefault(seat["username"], []).append(
                            f"{str(MembershipRole(seat['role']).label).lower()} i {body['name']}"
                        )
            self.stdout.write(f"\nDemoinloggningar (lösenord för alla: {personas['password']}):")
            for persona in personas["personas"]:
                who = ", ".join(
                    filter(
                        None,
                        [
                            f"{persona['first_name']} {persona['last_name']}",
                            persona.get("title"),
                            persona.get("organisation"),
                        ],
                    )
                )
                roles = ", ".join(str(Role(key).label) for key in persona.get("roles", []))
                places = seats.get(persona["username"])
                self.stdout.write(
                    f"  {persona['username']:<12} {who} – "
                    + (f"roller: {roles}" if roles else "ingen roll")
                    + (f"; platser: {', '.join(places)}" if places else "")
                )
