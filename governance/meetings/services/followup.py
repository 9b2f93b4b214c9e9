"""The centre's quarterly follow-up: aggregates only; every cell below 5 is shown as "<5" everywhere."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.core.services import audit_record

from .. import permissions
from ..choices import FigureCategory, MeetingAction
from ..models import FollowUpFigure, FollowUpReport

SMALL_CELL = 5


def suppressed(value: int) -> str:
    """The only form in which a figure may be shown or exported."""
    return "<5" if value < SMALL_CELL else str(value)


def followup_report_record(
    *, acting_user, year: int, quarter: int, figures: list[tuple[str, str, int]]
) -> FollowUpReport:
    """Store (or replace) a quarter's aggregates. Only the host's administrators and body managers report."""
    permissions.check_report_followup(acting_user)
    errors = []
    if not 1 <= quarter <= 4:
        errors.append(_("Kvartalet ska vara 1–4."))
    for category, label, value in figures:
        if category not in FigureCategory.values:
            errors.append(_("Okänd kategori ”%(c)s”.") % {"c": category})
        if not isinstance(value, int) or value < 0:
            errors.append(_("Antalet för %(l)s ska vara ett heltal ≥ 0.") % {"l": label})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report, _created = FollowUpReport.objects.get_or_create(year=year, quarter=quarter)
        report.figures.all().delete()
        FollowUpFigure.objects.bulk_create(
            [FollowUpFigure(report=report, category=c, label=label, value=v) for c, label, v in figures]
        )
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.FOLLOWUP_RECORDED,
            obj=report,
            payload={"cells": len(figures)},
        )
    return report
