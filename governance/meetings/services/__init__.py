"""Writes of the meetings app, split by subject; import from here."""

from .agenda import (
    agenda_carry_over,
    agenda_follow_up_add,
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_paper_add,
    item_outcome_record,
)
from .attendance import attendance_record, quorum
from .calendar_tokens import calendar_token_rotate
from .demo import demo_meetings_load
from .followup import followup_report_record, suppressed
from .memberships import (
    CompositionError,
    body_load,
    membership_add,
    membership_end,
    membership_grants_sync_all,
)
from .minutes import (
    approvers_without_login,
    current_version,
    extract_render,
    minutes_approval_record,
    minutes_approve,
    minutes_context,
    minutes_correct,
    minutes_draft,
    minutes_publish,
    notice_context,
)
from .notices import (
    meeting_notice_request,
    meeting_notice_send,
    notice_deadline,
    notice_recipients,
    notices_send_due,
    rsvp_answer,
)
from .planning import (
    ShortNotice,
    meeting_cancel,
    meeting_create,
    meeting_hold,
    meeting_postpone,
    meeting_replan,
    meeting_reschedule,
    meetings_plan_year,
    short_notice_warning,
)

__all__ = [
    "CompositionError",
    "ShortNotice",
    "agenda_carry_over",
    "agenda_follow_up_add",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_remove",
    "agenda_paper_add",
    "approvers_without_login",
    "attendance_record",
    "body_load",
    "calendar_token_rotate",
    "current_version",
    "demo_meetings_load",
    "extract_render",
    "followup_report_record",
    "item_outcome_record",
    "meeting_cancel",
    "meeting_create",
    "meeting_hold",
    "meeting_notice_request",
    "meeting_notice_send",
    "meeting_postpone",
    "meeting_replan",
    "meeting_reschedule",
    "meetings_plan_year",
    "membership_add",
    "membership_end",
    "membership_grants_sync_all",
    "minutes_approval_record",
    "minutes_approve",
    "minutes_context",
    "minutes_correct",
    "minutes_draft",
    "minutes_publish",
    "notice_context",
    "notice_deadline",
    "notice_recipients",
    "notices_send_due",
    "quorum",
    "rsvp_answer",
    "short_notice_warning",
    "suppressed",
]
