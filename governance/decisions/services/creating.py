"""Creating a row whose short name (slug) another request may take at the same moment."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


def create_with_slug(model, *, taken_message: str, **fields):
    """``model.objects.create(**fields)`` in a savepoint: if the slug was taken between the check and the
    insert (two submissions at once), the user gets ``taken_message`` instead of a 500."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError as exc:
        raise ValidationError(taken_message) from exc
