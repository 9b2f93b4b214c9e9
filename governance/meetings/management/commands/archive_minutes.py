from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.meetings.archive import minutes_package
from governance.meetings.models import CooperationBody


class Command(BaseCommand):
    help = "Skriv arkivpaketet för ett samverkansorgans protokoll ett år (zip med filer, SHA256SUMS och erms.xml)."

    def add_arguments(self, parser):
        parser.add_argument("body", help="Organets kortnamn, t.ex. styrgrupp.")
        parser.add_argument("year", type=int, help="Året.")
        parser.add_argument("-o", "--output", help="Fil att skriva (standard: paketets eget namn här).")

    def handle(self, *args, body: str, year: int, output: str | None, **options):
        found = CooperationBody.objects.filter(slug=body).first()
        if found is None:
            raise CommandError(f"Inget organ med kortnamnet {body}.")
        try:
            name, content = minutes_package(acting_user=None, body=found, year=year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        target = Path(output or name)
        target.write_bytes(content)
        self.stdout.write(f"Arkivpaket skrivet: {target} ({len(content)} byte).")
