"""Filters for the LOGGING setting.

A refused request (``PermissionDenied``, 403) is part of normal use: Django's ``django.request`` logger would
print it with the exception's full traceback. ``RefusalOneLine`` turns such a record into one line (method,
path, user id, status) at WARNING and drops the traceback; every other record passes unchanged."""

import logging

from django.core.exceptions import PermissionDenied


class RefusalOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        if getattr(record, "status_code", None) != 403 or not exc_info or exc_info is True:
            return True
        if not isinstance(exc_info[1], PermissionDenied):
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        user_id = getattr(user, "pk", None)
        record.msg = "Forbidden (Permission denied): %s %s user=%s status=%s"
        record.args = (
            getattr(request, "method", "-"),
            getattr(request, "path", "-"),
            "-" if user_id is None else user_id,
            record.status_code,
        )
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        return True
