"""Writes of the decisions app, split by subject; import from here."""

from .cases import (
    CASE_ACTION_TRANSITIONS,
    MAX_SIGNED_COPY_BYTES,
    case_action_run,
    case_decision_record,
    case_propose,
    case_registration_number_set,
    case_reopen,
    case_sign,
    case_start_preparation,
    case_withdraw,
    cases_advance_periods,
    decision_posting_record,
)
from .chains import BEFORE_PROPOSAL_STATES, CHAIN_EDITABLE_STATES, case_chain_set, usual_chain_set
from .consultations import (
    ANSWER_GRACE_DAYS,
    answering_closed,
    consultation_assess,
    consultation_create,
    consultation_response_record,
)
from .documents import documents_request_batch, memo_batch_prepare
from .loading import adoption_history_load
from .notifications import consultation_notify, notifications_sweep, recommendation_notify
from .profiles import document_profile_save, document_profiles_load
from .recommendations import (
    MAX_ATTACHMENT_BYTES,
    recommendation_attachment_add,
    recommendation_attachment_remove,
    recommendation_create,
    recommendation_create_and_send,
    recommendation_send,
    recommendation_update,
)
from .reminders import digest_send, reminders_send

__all__ = [
    "ANSWER_GRACE_DAYS",
    "BEFORE_PROPOSAL_STATES",
    "CASE_ACTION_TRANSITIONS",
    "CHAIN_EDITABLE_STATES",
    "MAX_ATTACHMENT_BYTES",
    "MAX_SIGNED_COPY_BYTES",
    "adoption_history_load",
    "answering_closed",
    "case_action_run",
    "case_chain_set",
    "case_decision_record",
    "case_propose",
    "case_registration_number_set",
    "case_reopen",
    "case_sign",
    "case_start_preparation",
    "case_withdraw",
    "cases_advance_periods",
    "consultation_assess",
    "consultation_create",
    "consultation_notify",
    "consultation_response_record",
    "decision_posting_record",
    "digest_send",
    "document_profile_save",
    "document_profiles_load",
    "documents_request_batch",
    "memo_batch_prepare",
    "notifications_sweep",
    "recommendation_attachment_add",
    "recommendation_attachment_remove",
    "recommendation_create",
    "recommendation_create_and_send",
    "recommendation_notify",
    "recommendation_send",
    "recommendation_update",
    "reminders_send",
    "usual_chain_set",
]
