from django.core.management.base import BaseCommand

from governance.search.services import search_index_rebuild


class Command(BaseCommand):
    help = "Bygg om sökindexet från ärenden, beslut, möten, dokument och diariet. Idempotent."

    def handle(self, *args, **options):
        count = search_index_rebuild(acting_user=None)
        self.stdout.write(f"Sökindex: {count} poster.")
