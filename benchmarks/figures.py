"""The in-process figures: pages against their bare views, the memo against bare docxtpl, its PDF against the
.docx, the allocation against plain-int arithmetic, the cost page against the allocation; query counts."""

import contextlib
import datetime as dt
import io
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docxtpl import DocxTemplate

from governance.agreements.costs import PoolMember, compute_allocation
from governance.agreements.queries import cost_allocation, default_cost_year
from governance.decisions.memo_paper import memo_defaults
from governance.documents import registry, rendering
from governance.documents import services as document_services
from governance.documents.choices import DocumentStatus

from .data import Subjects
from .timing import interleaved, median_ms, ratio, timed


def process_stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 30 s: the converter and gunicorn the bench started."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class BenchError(Exception):
    """A figure could not be measured as it should be (a page that does not answer 200, a memo that fails)."""


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise BenchError(f"{url}: status {response.status_code}")


def _render(client: Client, url: str) -> None:
    """The page rendered, not answered from the kept copy (core.caching): its first showing after a change."""
    from django.conf import settings

    kept, settings.PAGE_CACHE_SECONDS = settings.PAGE_CACHE_SECONDS, 0
    try:
        _get(client, url)
    finally:
        settings.PAGE_CACHE_SECONDS = kept


def _render_status_queries(client: Client, url: str) -> tuple[int, int]:
    """(status, queries) of a render: what a page costs when it is not kept (a kept copy takes two
    queries: the session with the generation, and the user)."""
    from django.conf import settings

    kept, settings.PAGE_CACHE_SECONDS = settings.PAGE_CACHE_SECONDS, 0
    try:
        return queries_of(client, url)
    finally:
        settings.PAGE_CACHE_SECONDS = kept


def _render_queries(client: Client, url: str) -> int:
    return _render_status_queries(client, url)[1]


def queries_of(client: Client, url: str) -> tuple[int, int]:
    """(status, number of queries) of one GET."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured.captured_queries)


# ---------------------------------------------------------------------------------------------------------
# Pages


def pages_measure(subjects: Subjects, *, rounds: int) -> dict:
    client = _client(subjects.users["ksl"])
    slug = subjects.recommendation.slug
    short, long = subjects.short_case.pk, subjects.long_case.pk
    urls = {
        "dashboard": reverse("decisions:dashboard", args=[slug]),
        "dashboard_bare": reverse("bench_dashboard", args=[slug]),
        "case_short": reverse("decisions:case", args=[short]),
        "case_short_bare": reverse("bench_case", args=[short]),
        "case_long": reverse("decisions:case", args=[long]),
        "case_long_bare": reverse("bench_case", args=[long]),
    }
    measured = {name: timed(lambda u=url: _get(client, u)) for name, url in urls.items()}
    for name in ("dashboard", "case_short", "case_long"):
        measured[f"{name}_render"] = timed(lambda u=urls[name]: _render(client, u))
    samples = interleaved(measured, rounds=rounds)
    queries = {name: _render_queries(client, url) for name, url in urls.items() if not name.endswith("_bare")}
    return {
        "samples": samples,
        "ratios": {
            "dashboard_vs_bare": ratio(samples["dashboard"], samples["dashboard_bare"]),
            # the worse of the two lengths is the figure; both are reported
            "case_vs_bare": max(
                ratio(samples["case_short"], samples["case_short_bare"]),
                ratio(samples["case_long"], samples["case_long_bare"]),
            ),
        },
        "extra": {
            # the render, for the first showing after a change (the ratios above: as users mostly get it)
            "dashboard_render_vs_bare": ratio(samples["dashboard_render"], samples["dashboard_bare"]),
            "case_render_vs_bare": max(
                ratio(samples["case_short_render"], samples["case_short_bare"]),
                ratio(samples["case_long_render"], samples["case_long_bare"]),
            ),
            "case_10_vs_bare": ratio(samples["case_short"], samples["case_short_bare"]),
            "case_100_vs_bare": ratio(samples["case_long"], samples["case_long_bare"]),
            "case_100_vs_case_10": ratio(samples["case_long"], samples["case_short"]),
        },
        "queries": {
            "dashboard": queries["dashboard"],
            "case": max(queries["case_short"], queries["case_long"]),
            "case_10": queries["case_short"],
            "case_100": queries["case_long"],
        },
    }


def main_pages(subjects: Subjects, user) -> list[str]:
    """The main pages a persona reaches from the menu, with the subjects of the scale data."""
    urls = [
        reverse("home"),
        reverse("decisions:list"),
        reverse("decisions:dashboard", args=[subjects.recommendation.slug]),
        reverse("decisions:case", args=[subjects.short_case.pk]),
        reverse("decisions:case", args=[subjects.long_case.pk]),
        reverse("agreements:list"),
        reverse("agreements:costs", args=[subjects.recommendation.agreement.slug]),
        reverse("parties:list"),
        reverse("meetings:body_list"),
        reverse("meetings:published_minutes"),
        reverse("diary:register"),
        reverse("search:results") + "?q=origo",
        *[reverse("meetings:meeting", args=[pk]) for pk in subjects.meetings[:3]],
    ]
    own = subjects.recommendation.cases.filter(organisation__contacts__person__user=user).first()
    if own is not None:
        urls.append(reverse("decisions:case", args=[own.pk]))
    if user.is_staff:
        urls.append("/admin/")
    return urls


def max_page_queries(subjects: Subjects) -> dict:
    """The most queries any main page takes, as each persona (pages a persona may not see are left out)."""
    worst = {"queries": 0, "url": "", "persona": ""}
    per_persona = {}
    for username, user in sorted(subjects.users.items()):
        client = _client(user)
        seen = {}
        for url in main_pages(subjects, user):
            status, count = _render_status_queries(client, url)
            if status == 200:
                seen[url] = count
                if count > worst["queries"]:
                    worst = {"queries": count, "url": url, "persona": username}
        per_persona[username] = seen
    return {"max_page": worst, "per_persona": per_persona}


# ---------------------------------------------------------------------------------------------------------
# Documents


def _memo_request(case, user) -> int:
    params = memo_defaults(case, user).__dict__
    return document_services.document_request(
        acting_user=user, kind="memo", subject_key=f"case:{case.pk}", params=params, request_key=uuid.uuid4()
    ).pk


def memo_render_docx_only(document_id: int) -> float:
    """The worker's job for one queued memo (``document_render``) without its PDF copy: seconds."""
    real = rendering.convert_to_pdf
    rendering.convert_to_pdf = lambda *_args, **_kwargs: None
    try:
        started = time.perf_counter()
        document = document_services.document_render(document_id=document_id)
        seconds = time.perf_counter() - started
    finally:
        rendering.convert_to_pdf = real
    if document.status != DocumentStatus.DONE:
        raise BenchError(f"memo {document_id}: {document.status} {document.error}")
    return seconds


@contextlib.contextmanager
def long_lived_converter():
    """``manage.py converter`` on free ports for the PDF figure, as ``make run`` and production run it; yields
    its URL, or None (and the reason) where LibreOffice's Python is missing, so the one-shot path is measured."""
    from django.conf import settings

    from governance.documents import converter

    python = os.environ.get("DOCUMENT_CONVERTER_PYTHON", "/usr/bin/python3")
    problem = converter.uno_python_problem(python)
    if problem or rendering.soffice_path() is None:
        yield None, problem or "LibreOffice saknas"
        return
    ports = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    log = tempfile.NamedTemporaryFile(prefix="bench-converter-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "converter",
            "--port",
            str(ports[0]),
            "--uno-port",
            str(ports[1]),
            "--python",
            python,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{ports[0]}"
    previous = getattr(settings, "DOCUMENT_CONVERTER_URL", "")
    try:
        settings.DOCUMENT_CONVERTER_URL = url
        yield url, ""
    finally:
        settings.DOCUMENT_CONVERTER_URL = previous
        process_stop(process)
        log.close()


def _converter_ready(url: str, docx: bytes, within: float = 120) -> None:
    from governance.documents import converter

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            converter.convert(url, docx, timeout=60, connect_timeout=1)
            return
        except converter.Unavailable:
            time.sleep(0.5)
    raise BenchError(f"the converter at {url} did not answer within {within} s")


def documents_measure(subjects: Subjects, *, rounds: int) -> dict:
    """The memo as the worker makes it (the context from the database, the compiled render with the layout
    fixes) against a bare ``DocxTemplate(t).render(context); save()``; the worker's whole job (versions,
    audit, diarium, search) beside it; the PDF from the long-lived converter against the memo."""
    user, case = subjects.users["ksl"], subjects.short_case
    template = document_services.template_for("memo")[0]
    first = document_services.GeneratedDocument.objects.get(pk=_memo_request(case, user))
    entry = registry.kind_entry("memo")
    subject = registry.subject_for(entry, first.subject_key)
    context = entry.build_context(subject, first.params)
    memo_render_docx_only(first.pk)
    first.refresh_from_db()
    with first.file.open("rb") as handle:
        docx = handle.read()

    def bare_docxtpl():
        document = DocxTemplate(io.BytesIO(template))
        document.render(context, autoescape=True)
        document.save(io.BytesIO())

    def memo():
        rendering.render_docx(
            document_services.template_for("memo")[0], entry.build_context(subject, first.params)
        )

    measured = {
        "memo": timed(memo),
        "memo_bare_docxtpl": timed(bare_docxtpl),
        "memo_job": lambda: memo_render_docx_only(_memo_request(case, user)),
    }
    notes = []
    with long_lived_converter() as (url, problem):
        pdf = rendering.soffice_path() is not None
        if url:
            _converter_ready(url, docx)
        elif pdf:
            notes.append(
                f"pdf_vs_docx: ingen långlivad konverterare ({problem}); en LibreOffice per fil mättes"
            )
        if pdf:
            one_paragraph = _one_paragraph(docx)

            def convert(source: bytes):
                if not rendering.convert_to_pdf(source):
                    raise BenchError("the PDF conversion returned nothing")

            measured["pdf"] = timed(lambda: convert(docx))
            # the converter's floor: the same document (styles, page, header) with one paragraph left
            measured["pdf_one_paragraph"] = timed(lambda: convert(one_paragraph))
        samples = interleaved(measured, rounds=rounds, sample_seconds=0)
    if pdf and ratio(samples["pdf"], samples["memo"]) > 3:
        notes.append(
            f"pdf_vs_docx: LibreOffice tar {median_ms(samples['pdf']):.0f} ms för utlåtandets PDF och "
            f"{median_ms(samples['pdf_one_paragraph']):.0f} ms för samma dokument med ett enda stycke kvar, medan "
            f"utlåtandets .docx tar {median_ms(samples['memo']):.1f} ms att rendera: konverterarens fasta kostnad "
            f"per dokument är mer än 3× renderingen. Mot arbetarens hela .docx-jobb "
            f"({median_ms(samples['memo_job']):.0f} ms) är PDF:en {ratio(samples['pdf'], samples['memo_job'])}×."
        )
    return {
        "samples": samples,
        "ratios": {
            "memo_vs_docxtpl": ratio(samples["memo"], samples["memo_bare_docxtpl"]),
            "pdf_vs_docx": ratio(samples["pdf"], samples["memo"]) if pdf else None,
        },
        "ratios_extra": {
            "memo_job_vs_docxtpl": ratio(samples["memo_job"], samples["memo_bare_docxtpl"]),
            "pdf_vs_memo_job": ratio(samples["pdf"], samples["memo_job"]) if pdf else None,
            "pdf_one_paragraph_vs_docx": ratio(samples["pdf_one_paragraph"], samples["memo"])
            if pdf
            else None,
        },
        "notes": notes if pdf else ["pdf_vs_docx: LibreOffice (soffice) saknas, PDF mättes inte"],
    }


def _one_paragraph(docx: bytes) -> bytes:
    """``docx`` with its body cut to the first paragraph (its section settings kept): LibreOffice's fixed cost
    per document, for the PDF figure's note."""
    import docx as python_docx

    document = python_docx.Document(io.BytesIO(docx))
    body = document.element.body
    paragraphs = [child for child in body if child.tag.endswith("}p")]
    for child in list(body):
        if child.tag.endswith("}sectPr") or child is paragraphs[0]:
            continue
        body.remove(child)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """The floor: the allocation's rounding rule in plain ints (round half up, then largest remainder)."""
    weight_sum = sum(weights)
    rounded = [(2 * total * w + weight_sum) // (2 * weight_sum) for w in weights]
    shortfall = total - sum(rounded)
    if shortfall:
        error = [total * w - r * weight_sum for w, r in zip(weights, rounded, strict=True)]
        if shortfall > 0:
            order = sorted(range(len(weights)), key=lambda i: (-error[i], i))
        else:
            order = sorted(range(len(weights)), key=lambda i: (error[i], -i))
        step = 1 if shortfall > 0 else -1
        for i in order[: abs(shortfall)]:
            rounded[i] += step
    return rounded


def _allocation_from_database(agreement, year: int):
    """The allocation the cost page shows, read and computed from the database past every cache: its inputs
    (two queries over every party) and ``compute_allocation``. The floor of ``costpage_vs_allocation``."""
    from governance.agreements import queries

    cost_model = type(agreement.cost_model).objects.get(pk=agreement.cost_model.pk)
    basis = cost_model.basis_date_for(year)
    return queries._allocation_compute(
        year=year,
        basis=basis,
        budget=cost_model.annual_budget,
        inputs=queries._allocation_inputs(agreement, cost_model, basis),
        exclude=(),
        mode="redistribute",
    )


def allocation_measure(subjects: Subjects, *, rounds: int) -> dict:
    rng = random.Random(290)
    populations = [rng.randint(2_000, 1_000_000) for _ in range(290)]
    members = [PoolMember(i, f"{i:04d}", f"Kommun {i}", p) for i, p in enumerate(populations)]
    budget = 123_456_789

    def allocation():
        return compute_allocation(
            year=2026,
            basis_date=dt.date(2025, 12, 31),
            budget=budget,
            fixed=[],
            pool_percent=Decimal(100),
            members=members,
        )

    computed = [line.amount for line in allocation().lines]
    if computed != largest_remainder(budget, populations):
        raise BenchError("the floor does not allocate as compute_allocation does")

    agreement = subjects.recommendation.agreement
    year = default_cost_year(agreement)
    client = _client(subjects.users["ksl"])
    url = reverse("agreements:costs", args=[agreement.slug])
    samples = interleaved(
        {
            "allocation": timed(allocation),
            "allocation_floor": timed(lambda: largest_remainder(budget, populations)),
            # with its 290 row objects built, as the cost page reads them (a memo reads one row)
            "allocation_rows": timed(lambda: allocation().lines),
            "costpage": timed(lambda: _get(client, url)),
            "costpage_render": timed(lambda: _render(client, url)),
            "costpage_allocation": timed(lambda: _allocation_from_database(agreement, year)),
            "costpage_allocation_kept": timed(lambda: cost_allocation(agreement=agreement, year=year)),
        },
        rounds=rounds,
    )
    return {
        "samples": samples,
        "ratios": {
            "allocation_vs_floor": ratio(samples["allocation"], samples["allocation_floor"]),
            "costpage_vs_allocation": ratio(samples["costpage"], samples["costpage_allocation"]),
        },
        "extra": {
            "allocation_rows_vs_floor": ratio(samples["allocation_rows"], samples["allocation_floor"]),
            "costpage_render_vs_allocation": ratio(
                samples["costpage_render"], samples["costpage_allocation"]
            ),
            # the kept page against the allocation as the page gets it (kept under the cost generation)
            "costpage_vs_allocation_kept": ratio(samples["costpage"], samples["costpage_allocation_kept"]),
        },
        "costpage": {"agreement": agreement.slug, "year": year, "queries": _render_queries(client, url)},
    }
