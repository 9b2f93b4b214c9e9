import os
import shutil
import signal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance.documents.converter import ServerOptions, serve, uno_python_problem


def _default_port() -> int:
    return urlsplit(getattr(settings, "DOCUMENT_CONVERTER_URL", "") or "http://127.0.0.1:2003").port or 2003


class Command(BaseCommand):
    requires_system_checks = []  # it serves LibreOffice, not Django
    help = (
        "Kör PDF-tjänsten: en LibreOffice som hålls igång (unoserver) och startas om efter ett antal "
        "konverteringar, efter en för lång konvertering eller när den använder för mycket minne. Lyssnar på "
        "porten i DOCUMENT_CONVERTER_URL (standard 2003), bara på 127.0.0.1 om inget annat anges."
    )

    def add_arguments(self, parser):
        defaults = ServerOptions()
        parser.add_argument(
            "--host", default=defaults.host, help="Adress att lyssna på (standard 127.0.0.1)."
        )
        parser.add_argument(
            "--port", type=int, default=None, help="Port (standard: DOCUMENT_CONVERTER_URL:s)."
        )
        parser.add_argument(
            "--uno-port", type=int, default=defaults.uno_port, help="LibreOffice:s egen port."
        )
        parser.add_argument(
            "--python",
            default=os.environ.get("DOCUMENT_CONVERTER_PYTHON", defaults.python),
            help="Python med LibreOffice:s uno-modul (standard /usr/bin/python3, Debian-paketet python3-uno).",
        )
        parser.add_argument(
            "--soffice", default=None, help="LibreOffice-programmet (standard: soffice i PATH)."
        )
        parser.add_argument(
            "--stop-after", type=int, default=defaults.stop_after, help="Konverteringar per start."
        )
        parser.add_argument(
            "--conversion-timeout",
            type=int,
            default=defaults.conversion_timeout,
            help="Sekunder per konvertering.",
        )
        parser.add_argument(
            "--max-rss-mb",
            type=int,
            default=defaults.max_rss_mb,
            help="Minne (MB) som gör att LibreOffice startas om.",
        )

        parser.add_argument(
            "--idle-if-missing",
            action="store_true",
            help="Utan LibreOffice eller uno: skriv varför och vänta (make run), i stället för att avsluta med fel.",
        )

    def handle(self, *args, **options):
        problem = "" if shutil.which(options["soffice"] or "soffice") else "LibreOffice (soffice) saknas."
        problem = problem or uno_python_problem(options["python"])
        if problem and options["idle_if_missing"]:
            self.stdout.write(
                f"PDF-tjänsten startas inte: {problem} Varje PDF skapas då av en egen LibreOffice, om den finns."
            )
            stop = {signal.SIGTERM, signal.SIGINT}
            signal.pthread_sigmask(signal.SIG_BLOCK, stop)
            signal.sigwait(stop)
            return
        if problem:
            raise CommandError(problem)
        server = ServerOptions(
            host=options["host"],
            port=options["port"] or _default_port(),
            uno_port=options["uno_port"],
            python=options["python"],
            executable=options["soffice"],
            stop_after=options["stop_after"],
            conversion_timeout=options["conversion_timeout"],
            max_rss_mb=options["max_rss_mb"],
        )
        if server.port == server.uno_port:
            raise CommandError("--port och --uno-port måste vara olika.")
        serve(server, log=lambda line: self.stdout.write(line))
