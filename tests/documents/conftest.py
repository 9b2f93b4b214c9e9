import pytest


@pytest.fixture(autouse=True)
def _no_pdf_unless_asked(request, monkeypatch):
    """PDF conversion costs a LibreOffice start per document: only tests marked ``pdf`` convert."""
    if "pdf" not in request.keywords:
        from governance.documents import rendering

        monkeypatch.setattr(rendering, "soffice_path", lambda: None)
