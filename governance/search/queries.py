"""The search: the user's visible entries that match every word of the query, best first."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from .choices import MAX_QUERY_WORDS
from .models import SearchEntry
from .permissions import visible_entries_q

WORD = re.compile(r"\w+")

_FTS_IDS = "SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s"
_FTS_RANK = (
    "SELECT bm25(search_entry_fts, 10.0, 1.0) FROM search_entry_fts "
    'WHERE search_entry_fts MATCH %s AND rowid = "search_searchentry"."id"'
)


def query_words(text: str) -> list[str]:
    """The words of a query (letters, digits; everything else separates), at most ``MAX_QUERY_WORDS``."""
    return WORD.findall(text)[:MAX_QUERY_WORDS]


def fts5_expression(words: list[str]) -> str:
    """An FTS5 query that needs every word, each as a quoted prefix term: no user text is ever FTS syntax
    (a word holds only letters, digits and ``_``, so it cannot close the quotes)."""
    return " ".join(f'"{word}"*' for word in words)


def search(user, text: str) -> QuerySet[SearchEntry]:
    """The entries ``user`` may find that contain every word of ``text``, best match first; none without a
    word. Permissions are part of the query (``permissions.visible_entries_q``)."""
    words = query_words(text)
    if not words:
        return SearchEntry.objects.none()
    entries = SearchEntry.objects.filter(visible_entries_q(user)).defer("search_vector")
    if connection.vendor == "postgresql":
        query = SearchQuery(" ".join(words), search_type="plain", config="swedish")
        return (
            entries.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-date", "-pk")
        )
    expression = fts5_expression(words)
    return (
        entries.filter(pk__in=RawSQL(_FTS_IDS, [expression]))  # noqa: S611 - constant SQL, bound parameter
        .annotate(rank=RawSQL(_FTS_RANK, [expression]))  # noqa: S611 - constant SQL, bound parameter
        .order_by("rank", "-date", "-pk")
    )
