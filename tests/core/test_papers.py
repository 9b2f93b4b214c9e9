"""The registry of agenda paper providers (core.papers)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from governance.core import papers


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(papers, "_PROVIDERS", {})
    return papers


def test_providers_are_listed_in_order_and_found_by_key(registry):
    first = registry.paper_provider_register(
        "first", "Första", options=lambda user: [(1, "Ett")], build=lambda pk: ("a.docx", b"A", "källa")
    )
    registry.paper_provider_register(
        "second",
        "Andra",
        options=lambda user: [],
        build=lambda pk: ("b.docx", b"B", "källa"),
        describe=lambda source: f"Om {source}.",
    )
    assert [p.key for p in registry.paper_providers()] == ["first", "second"]
    assert registry.paper_provider("first") is first
    assert first.options(None) == [(1, "Ett")] and first.build(1) == ("a.docx", b"A", "källa")
    assert first.description("källa") == "källa"
    assert registry.paper_provider("second").description("källa") == "Om källa."
    with pytest.raises(LookupError):
        registry.paper_provider("third")


def test_registering_again_replaces_and_bad_keys_are_refused(registry):
    registry.paper_provider_register(
        "same", "Gammal", options=lambda user: [], build=lambda pk: ("", b"", None)
    )
    registry.paper_provider_register("same", "Ny", options=lambda user: [], build=lambda pk: ("", b"", None))
    assert [p.label for p in registry.paper_providers()] == ["Ny"]
    with pytest.raises(ImproperlyConfigured):
        registry.paper_provider_register(
            "a b", "X", options=lambda user: [], build=lambda pk: ("", b"", None)
        )


def test_decisions_registers_the_adoption_summary():
    assert "adoption_summary" in {p.key for p in papers.paper_providers()}
