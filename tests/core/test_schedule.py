"""Every periodic job is scheduled, and every scheduled name is a registered task."""

from django.conf import settings

from governance.celery import app

ON_DEMAND = {  # enqueued by services, not by the clock
    "decisions.memo_batch_prepare",
    "documents.document_render",
    "core.mail_deliver",
    "meetings.notice_send",
    "decisions.recommendation_notify",
    "decisions.consultation_notify",
    "webhooks.delivery_deliver",
}


def test_every_task_is_scheduled_or_on_demand():
    app.loader.import_default_modules()
    ours = {
        name
        for name in app.tasks
        if name.split(".")[0] in {"core", "parties", "decisions", "documents", "meetings", "webhooks"}
    }
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= ours
    assert ours >= ON_DEMAND
    assert ours - ON_DEMAND == scheduled
