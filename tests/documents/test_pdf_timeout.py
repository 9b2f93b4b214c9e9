"""A PDF conversion that hangs (issue 12, item 4): the version is done with its .docx and a "PDF misslyckades"
note, and nothing LibreOffice started is left running. A fake ``soffice`` that starts a child of its own (as
``soffice`` starts ``soffice.bin``) and then hangs stands in for LibreOffice."""

import os
import stat
import time
import uuid
from pathlib import Path

import pytest
from django.test import override_settings

from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase
from governance.documents import rendering, services

FAKE_SOFFICE = """#!/bin/sh
sleep 300 &
echo $! >> "{pids}"
echo $$ >> "{pids}"
exec sleep 300
"""


@pytest.fixture
def hanging_soffice(tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    script = tmp_path / "soffice"
    script.write_text(FAKE_SOFFICE.format(pids=pids))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(rendering, "soffice_path", lambda: str(script))
    return pids


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _none_alive(pids: list[int]) -> bool:
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(_alive(pid) for pid in pids)


@override_settings(DOCUMENT_PDF_TIMEOUT_SECONDS=1)
def test_a_hanging_conversion_keeps_the_docx_with_a_note(danderyd_clerk, hanging_soffice):
    case = AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")
    document = services.document_request(
        acting_user=danderyd_clerk,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=memo_paper.memo_defaults(case, danderyd_clerk).__dict__,
        request_key=uuid.uuid4(),
    )
    document = services.document_render(document_id=document.pk)
    assert document.status == "done", document.error
    assert document.file and not document.pdf
    assert document.pdf_note.startswith("PDF misslyckades: ")
    assert "inom 1 sekunder" in document.pdf_note
    pids = [int(line) for line in hanging_soffice.read_text().split()]
    assert len(pids) == 2
    assert _none_alive(pids), "soffice or its child is still running"


@override_settings(DOCUMENT_PDF_TIMEOUT_SECONDS=1)
def test_convert_to_pdf_raises_document_error_and_kills_the_group(hanging_soffice):
    with pytest.raises(rendering.DocumentError, match="LibreOffice blev inte klar inom 1 sekunder"):
        rendering.convert_to_pdf(b"not really a docx")
    pids = [int(line) for line in hanging_soffice.read_text().split()]
    assert _none_alive(pids)
    assert os.getpgrp() != pids[1]  # it ran in a session of its own, not in ours
