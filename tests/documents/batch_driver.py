"""Run by the batch tests in a process of their own, against the database in DATABASE_URL: ``n`` municipalities
(``scale.scale_round``), KSL's batch of memo drafts for all of them through the service, then wait until the
batch is ready and every version is done or failed (or ``timeout`` seconds pass). Prints one JSON line: the
versions by status, the largest number of versions of one case and the batch's status."""

import json
import sys
import time
import uuid


def main(n: int, timeout: float) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import Count

    from governance.decisions.services import documents_request_batch
    from governance.documents.models import DocumentBatch, GeneratedDocument
    from tests.documents.scale import scale_round

    with transaction.atomic():
        recommendation = scale_round(n)
    key = documents_request_batch(
        acting_user=get_user_model().objects.get(username="ksl"),
        recommendation=recommendation,
        batch_key=uuid.uuid4(),
    )
    deadline = time.monotonic() + timeout
    while True:
        batch = DocumentBatch.objects.get(key=key)
        counts = dict(
            GeneratedDocument.objects.filter(batch_key=key)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        unfinished = counts.get("queued", 0) + counts.get("running", 0)
        if (batch.status != "preparing" and not unfinished) or time.monotonic() > deadline:
            break
        time.sleep(1)
    versions = (
        GeneratedDocument.objects.filter(
            kind="memo", subject_key__in=GeneratedDocument.objects.filter(batch_key=key).values("subject_key")
        )
        .values("subject_key")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    return {
        "counts": counts,
        "batch": batch.status,
        "expected": batch.expected,
        "max_versions_per_case": versions,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), float(sys.argv[2]))))
