"""Schemathesis against ``/api/v1/schema/``: as KSL's officer and as Danderyd's clerk, every operation with
generated input answers without a 5xx and as its schema says (status code, content type, body, headers).

Bounded to a few examples per operation (the PostgreSQL leg of CI: ``make test-services``). Runs in the
test's transaction, in process (WSGI), so the transitions it manages to perform are rolled back.
"""

import pytest
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings

pytestmark = pytest.mark.services

EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def wsgi_app_in_the_test_transaction():
    """Django's WSGI handler, without closing the connection after each request (as Django's test client
    does): the requests then run inside the test's transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["ksl_officer", "danderyd_clerk"])
def test_every_operation_answers_as_its_schema_says(
    persona, request, token_for, wsgi_app_in_the_test_transaction
):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]
    headers = {"Authorization": f"Token {token_for(request.getfixturevalue(persona))}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app_in_the_test_transaction)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, checks=checks)

        run()
