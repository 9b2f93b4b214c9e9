"""Creating a row whose short name (slug) another request may take at the same moment."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.core.formatting import file_slug

#: Short names that are page addresses (/anslutning/ny/, /anslutning/remiss/ny/).
RESERVED_SLUGS = {"ny"}


def unique_slug(model, title: str, *, fallback: str) -> str:
    """A free short name from ``title`` ("2027–2029" → "2027-2029"): ``-2``, ``-3`` … after a taken one."""
    base = file_slug(title, max_length=55) or fallback
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken or slug in RESERVED_SLUGS:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_with_slug(model, *, taken_message: str, **fields):
    """``model.objects.create(**fields)`` in a savepoint: if the slug was taken between the check and the
    insert (two submissions at once), the user gets ``taken_message`` instead of a 500."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError as exc:
        raise ValidationError(taken_message) from exc
