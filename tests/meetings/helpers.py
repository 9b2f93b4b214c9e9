"""Shared steps of the meeting tests."""

from governance.meetings import services
from governance.meetings.choices import ItemKind

#: The decisions of the standard decision items, as a secretary writes them.
STANDARD_DECISIONS = {
    "agenda": "Dagordningen godkändes.",
    "previous_minutes": "Protokollet från föregående möte lades till handlingarna.",
}


def decide_standard_items(acting_user, meeting) -> None:
    """Write the decisions of the standard decision items that have none: a decision item cannot be
    justerat with only "Antecknades." ("Val av justerare" takes its decision from the justerare chosen)."""
    for item in meeting.items.filter(kind=ItemKind.DECISION, outcome="", standard_key__in=STANDARD_DECISIONS):
        services.item_outcome_record(
            acting_user=acting_user, item=item, outcome=STANDARD_DECISIONS[item.standard_key]
        )


def notice_delivered(acting_user, meeting, **kwargs):
    """Queue the meeting's notice and let the outbox deliver it (as the worker does after the commit); the
    meeting is then "kallelse skickad"."""
    from governance.core.services import mails_deliver_due
    from governance.meetings.models import Meeting

    services.meeting_notice_send(acting_user=acting_user, meeting=meeting, **kwargs)
    mails_deliver_due()
    return Meeting.objects.select_related("body").get(pk=meeting.pk)
