import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.agreements.choices import ScenarioMode
from governance.agreements.costs import AllocationError
from governance.agreements.exports import allocation_csv, allocation_table, allocation_xlsx
from governance.agreements.queries import agreement_for_slug, cost_allocation


def _write(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise CommandError(f"Kan inte skriva {path}: {exc.strerror}.") from exc


class Command(BaseCommand):
    help = "Skriv ut kostnadsfördelningen för ett avtal och ett kostnadsår, per part och med summa."

    def add_arguments(self, parser):
        parser.add_argument("agreement", help="Avtalets kortnamn, t.ex. origo eller origo-2016.")
        parser.add_argument("--year", type=int, required=True, help="Kostnadsåret.")
        parser.add_argument(
            "--basis", help="Datum för folkmängden (ÅÅÅÅ-MM-DD). Utelämnas: avtalets regel gäller."
        )
        parser.add_argument("--format", choices=["table", "csv", "xlsx"], default="table")
        parser.add_argument("--exclude", default="", help="Kommunkoder som inte ansluter, t.ex. 0162,0125.")
        parser.add_argument("--mode", choices=ScenarioMode.values, default=ScenarioMode.REDISTRIBUTE)
        parser.add_argument("--out", type=Path, help="Skriv till fil (krävs inte för table/csv).")

    def handle(self, *args, **options):
        basis = None
        if options["basis"]:
            try:
                basis = dt.date.fromisoformat(options["basis"])
            except ValueError as exc:
                raise CommandError(
                    f"--basis ”{options['basis']}” är inte ett datum på formen ÅÅÅÅ-MM-DD."
                ) from exc
        exclude = [code.strip() for code in options["exclude"].split(",") if code.strip()]
        try:
            agreement = agreement_for_slug(options["agreement"])
            allocation = cost_allocation(
                agreement=agreement,
                year=options["year"],
                basis_date=basis,
                exclude=exclude,
                mode=options["mode"],
            )
        except AllocationError as exc:
            raise CommandError(str(exc)) from exc
        out: Path | None = options["out"]
        fmt = options["format"]
        if fmt != "table":  # the table carries its notes itself
            for note in allocation.notes:
                self.stderr.write(note)
        if fmt == "xlsx":
            out = out or Path(f"kostnader-{agreement.slug}-{allocation.year}.xlsx")
            _write(out, allocation_xlsx(agreement, allocation))
            self.stdout.write(f"Skrev {out}")
            return
        text = (
            allocation_csv(agreement, allocation, bom=False)
            if fmt == "csv"
            else allocation_table(agreement, allocation)
        )
        if out:
            _write(out, text.encode("utf-8"))
            self.stdout.write(f"Skrev {out}")
        else:
            sys.stdout.write(text) if fmt == "csv" else self.stdout.write(text, ending="")
