"""Run by ``test_batch_workers`` in a process of its own against a SQLite file (DATABASE_URL, with
SQLITE_BUSY_TIMEOUT=3): another connection holds the write lock while a memo renders. Prints one JSON line."""

import json
import sqlite3
import sys
import threading
import uuid


def main(path: str) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import OperationalError

    from governance.core.models import AuditEvent
    from governance.decisions import memo_paper
    from governance.decisions.models import AdoptionCase
    from governance.documents import services, tasks
    from governance.documents.models import GeneratedDocument

    clerk = get_user_model().objects.get(username="danderyd")
    case = AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")

    def request():
        return services.document_request(
            acting_user=clerk,
            kind="memo",
            subject_key=f"case:{case.pk}",
            params=memo_paper.memo_defaults(case, clerk).__dict__,
            request_key=uuid.uuid4(),
        )

    out = {}
    document = request()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # a real write lock, held by another connection
    try:
        services.document_render(document_id=document.pk)
        out["first"] = "rendered"
    except OperationalError as exc:
        out["first"] = "locked" if "locked" in str(exc) else str(exc)
    out["status_while_locked"] = GeneratedDocument.objects.get(pk=document.pk).status  # readers go on (WAL)
    holder.execute("ROLLBACK")
    out["after_release"] = services.document_render(document_id=document.pk).status

    # A render on its last but one try: it meets the lock, is retried (eagerly here, by ``apply``), meets it
    # again and gives up; the lock goes away while the version is being marked failed.
    second = request()
    holder.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(7.5, lambda: holder.execute("ROLLBACK"))
    timer.start()
    result = tasks.document_render.apply(args=[second.pk], retries=tasks.RENDER_MAX_RETRIES - 1)
    timer.join()
    second = GeneratedDocument.objects.get(pk=second.pk)
    out["task_state"] = f"{result.state}: {result.result!r}"
    out["gave_up"] = second.status
    out["error"] = second.error
    out["failed_events"] = AuditEvent.objects.filter(
        action="document.failed", object_id=str(second.pk)
    ).count()
    out["versions"] = GeneratedDocument.objects.filter(pk=document.pk, status="done").count()
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), default=str))
