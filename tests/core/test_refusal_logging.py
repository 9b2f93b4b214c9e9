"""A finding of a new user's trial: a refused request (403, PermissionDenied) is normal use, logged as one
line (method, path, user id, status) at WARNING, without the exception's traceback."""

import logging

import pytest


@pytest.mark.urls("tests.core.error_urls")
def test_a_refusal_is_logged_in_one_line_without_a_traceback(client, outsider, caplog):
    client.force_login(outsider)
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client.get("/test/nekad/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None
    message = record.getMessage()
    assert "\n" not in message and "Traceback" not in caplog.text
    assert "GET /test/nekad/" in message and f"user={outsider.pk}" in message and "403" in message


@pytest.mark.urls("tests.core.error_urls")
def test_a_refusal_of_an_anonymous_user_is_one_line_too(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get("/test/nekad-utan-skal/").status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is None and "user=-" in record.getMessage()
