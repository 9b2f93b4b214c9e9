"""A worker's memory while it renders memos: ``python -m benchmarks.rss CASE_ID USERNAME N``.

Runs in a process of its own (as a Celery worker process does), renders N memos through ``document_render``
(the task's body, without the PDF copy, which LibreOffice makes in its own process) and prints JSON: the
process's resident set (VmRSS) after the first and the last memo, its peak (VmHWM), and the peak of the
forked render children (``getrusage(RUSAGE_CHILDREN)``). Process memory, not tracemalloc: it includes what
C libraries (lxml) hold and what the allocator does not give back.
"""

import json
import os
import resource
import sys
from pathlib import Path


def status_mb(field: str, pid: int | str = "self") -> float:
    """A memory line of /proc/<pid>/status (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise KeyError(field)


def main(case_id: int, username: str, count: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from governance.decisions.models import AdoptionCase

    from .figures import _memo_request, memo_render_docx_only

    user = get_user_model().objects.get(username=username)
    case = AdoptionCase.objects.select_related("recommendation__agreement", "organisation").get(pk=case_id)
    before = status_mb("VmRSS")
    after = []
    for _ in range(count):
        memo_render_docx_only(_memo_request(case, user))
        after.append(status_mb("VmRSS"))
    return {
        "memos": count,
        "worker_rss_start_mb": before,
        "worker_rss_after_first_mb": after[0],
        "worker_rss_after_last_mb": after[-1],
        "worker_growth_mb": round(after[-1] - after[0], 1),
        "worker_peak_mb": status_mb("VmHWM"),
        "render_child_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))))
