from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.core.choices import AuditAction

#: The longest search text a page accepts (characters).
MAX_QUERY_LENGTH = 200
#: At most this many words of a query are searched.
MAX_QUERY_WORDS = 12
PAGE_SIZE = 20


class EntryKind(models.TextChoices):
    CASE = "case", _("Ärende")
    DECISION = "decision", _("Beslut")
    MEETING = "meeting", _("Möte")
    DOCUMENT = "document", _("Dokument")
    DIARY = "diary", _("Diarium")


class Audience(models.TextChoices):
    """Who may find an entry: the same rule as the page the entry links to."""

    ORGANISATION = "organisation", _("De som får läsa organisationens ärenden")
    BODY = "body", _("De som får se organet")
    REGISTER = "register", _("Personer hos samverkansparterna (diariet)")
    REGISTRAR = "registrar", _("Registratorer för diarieserien")


class SearchAction(AuditAction):
    """Audit actions of the search index."""

    INDEX_REINDEXED = "search_index.reindexed", _("sökindex återuppbyggt")
