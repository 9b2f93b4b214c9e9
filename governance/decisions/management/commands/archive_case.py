from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.decisions.archive import case_package
from governance.decisions.models import AdoptionCase


class Command(BaseCommand):
    help = "Skriv arkivpaketet (zip med filer, SHA256SUMS och erms.xml enligt FGS Ärendehantering) för ett avslutat ärende."

    def add_arguments(self, parser):
        parser.add_argument("case_id", type=int, help="Anslutningsärendets id.")
        parser.add_argument("-o", "--output", help="Fil att skriva (standard: paketets eget namn här).")

    def handle(self, *args, case_id: int, output: str | None, **options):
        case = AdoptionCase.objects.filter(pk=case_id).first()
        if case is None:
            raise CommandError(f"Inget ärende med id {case_id}.")
        try:
            name, content = case_package(acting_user=None, case=case)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        target = Path(output or name)
        target.write_bytes(content)
        self.stdout.write(f"Arkivpaket skrivet: {target} ({len(content)} byte).")
