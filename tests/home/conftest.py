"""Fixtures shared with the decisions tests."""

from tests.decisions.conftest import fresh_recommendation  # noqa: F401
