from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Audience, EntryKind

MAX_BODY_LENGTH = 20_000


class SearchEntry(models.Model):
    """One findable thing (a case, a decision, a meeting, a generated document or a diary entry) in the
    search index, with the text to search and who may find it (``audience`` with ``organisation_id`` or
    ``cooperation_body_id``). Rebuilt per object from the audit trail (``services``); never edited by hand.

    PostgreSQL searches ``search_vector`` (Swedish configuration, GIN index); SQLite searches the FTS5 table
    ``search_entry_fts`` that triggers keep in step with this table (migration 0001)."""

    key = models.CharField(_("nyckel"), max_length=120, unique=True)
    kind = models.CharField(_("typ"), max_length=20, choices=EntryKind.choices)
    source = models.CharField(_("objekttyp"), max_length=100)
    object_id = models.PositiveBigIntegerField(_("objektets id"))
    title = models.CharField(_("rubrik"), max_length=300)
    body = models.TextField(_("text"), blank=True, validators=[MaxLengthValidator(MAX_BODY_LENGTH)])
    audience = models.CharField(_("synlig för"), max_length=20, choices=Audience.choices)
    organisation_id = models.PositiveBigIntegerField(_("organisationens id"), null=True, blank=True)
    cooperation_body_id = models.PositiveBigIntegerField(_("organets id"), null=True, blank=True)
    date = models.DateField(_("datum"), null=True, blank=True)
    url = models.CharField(_("adress"), max_length=300)
    search_vector = SearchVectorField(_("sökvektor"), null=True, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("sökpost")
        verbose_name_plural = _("sökposter")
        indexes = [models.Index(fields=["source", "object_id"], name="search_entry_source_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
