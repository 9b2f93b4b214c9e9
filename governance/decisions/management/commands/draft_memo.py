from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase, Recommendation
from governance.documents import rendering
from governance.documents.services import template_for


class Command(BaseCommand):
    help = (
        "Skriv ett utkast till tjänsteutlåtande (.docx) för en kommuns ärende, med samma innehåll som "
        "sidan förifyller. Ex: draft_memo origo --municipality 0162 --out memo.docx"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "recommendation", help="Rekommendationens kortnamn, eller bara origo för den senaste."
        )
        parser.add_argument("--municipality", required=True, help="Kommunkod, t.ex. 0162.")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--pdf", action="store_true", help="Skriv även en PDF (kräver LibreOffice).")

    def handle(self, *args, recommendation: str, municipality: str, out: Path, pdf: bool, **options):
        found = (
            Recommendation.objects.filter(slug=recommendation).first()
            or Recommendation.objects.filter(slug__startswith=f"{recommendation}-")
            .order_by("-board_decision_date")
            .first()
        )
        if found is None:
            raise CommandError(f"Det finns ingen rekommendation ”{recommendation}”.")
        case = (
            AdoptionCase.objects.select_related("organisation", "recommendation__agreement")
            .filter(recommendation=found, organisation__municipality_code=municipality)
            .first()
        )
        if case is None:
            raise CommandError(f"Kommunkod {municipality} är inte mottagare av ”{found}”.")
        params = memo_paper.memo_defaults(case, None).__dict__
        try:
            content = rendering.render_docx(template_for("memo")[0], memo_paper.memo_context(case, params))
        except rendering.DocumentError as exc:
            raise CommandError(str(exc)) from exc
        try:
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Kan inte skriva {out}: {exc.strerror}.") from exc
        self.stdout.write(f"Skrev {out} ({case.organisation.name}, {found}).")
        if pdf:
            try:
                converted = rendering.convert_to_pdf(content)
            except rendering.DocumentError as exc:
                raise CommandError(f"PDF misslyckades: {exc}") from exc
            if converted is None:
                raise CommandError("PDF kan inte skapas: LibreOffice (soffice) är inte installerat.")
            out.with_suffix(".pdf").write_bytes(converted)
            self.stdout.write(f"Skrev {out.with_suffix('.pdf')}.")
