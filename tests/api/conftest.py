import pytest
from rest_framework.test import APIClient


@pytest.fixture
def token_for(db):
    """``token_for(user)``: a fresh API token's secret for ``user`` (through the service, as the page does)."""
    from governance.api.services import api_token_create

    def make(user, name="Testsystem"):
        return api_token_create(acting_user=user, name=name)[1]

    return make


@pytest.fixture
def api_as(token_for):
    """``api_as(user)``: an API client that sends ``user``'s token; ``api_as(None)``: no credentials."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client

    return make
