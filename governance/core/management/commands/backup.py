import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Säkerhetskopiera databasen och de lagrade filerna (undertecknade PDF:er, genererade dokument, "
        "uppladdade mallar) till OUT/<tidpunkt>/ med ett manifest med kontrollsummor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", default=None, help="Katalog att skriva i (standard: BACKUP_DIR).")

    def handle(self, *args, **options):
        out = Path(options["out"] or settings.BACKUP_DIR)
        try:
            folder = backup_create(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        head = manifest["audit_head"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Säkerhetskopian är skriven: {folder} ({len(manifest['files'])} filer, "
                f"granskningsloggen {head['count']} händelser, senaste kontrollsumma {head['hash'][:12]}…)."
            )
        )
        self.stdout.write(str(folder))
