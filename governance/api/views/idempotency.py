"""``Idempotency-Key`` for the API's writes: the same key (a UUID) on a retried POST writes once
(``core.services.request_once``); the retry answers with the object as it is now and
``Idempotent-Replayed: true``. The key is bound to its user and to the object and action it was used for: the
same key on another case is refused (400), never answered as if it had been done."""

import uuid
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from governance.core.services import request_once

IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotency_key(request) -> uuid.UUID | None:
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise ValidationError({IDEMPOTENCY_HEADER: [_("Ange en UUID, t.ex. 3f2b…-…")]}) from None


def run_once(request, *, key: uuid.UUID | None, scope: str, run: Callable[[], tuple[object, str]]) -> bool:
    """Call ``run`` (once per key, when there is one); whether this request was a replay of an earlier one."""
    if key is None:
        run()
        return False
    _obj, _url, created = request_once(acting_user=request.user, key=key, action=scope[:60], run=run)
    return not created


def replayed_marked(response, replayed: bool):
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
