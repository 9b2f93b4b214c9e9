"""The OpenAPI schema is public and the same whoever asks; it is generated as an anonymous caller, so a
signed-in caller's querysets (visible bodies, organisations) are not looked up once per view (issue 15)."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

pytestmark = pytest.mark.django_db


def test_the_schema_is_the_same_for_everyone_and_a_few_queries(
    client, ksl_officer, ekero_clerk, django_assert_max_num_queries
):
    url = reverse("api:schema") + "?format=json"
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    for user in (ksl_officer, ekero_clerk):
        client.force_login(user)
        with django_assert_max_num_queries(5):
            signed_in = client.get(url)
        assert signed_in.status_code == 200
        assert signed_in.content == anonymous.content


def test_generated_as_the_caller_it_would_be_the_same(ksl_officer):
    as_caller = APIRequestFactory().get("/api/v1/schema/")
    as_caller.user = ksl_officer
    as_anonymous = APIRequestFactory().get("/api/v1/schema/")
    assert SchemaGenerator().get_schema(
        request=Request(as_caller), public=True
    ) == SchemaGenerator().get_schema(request=Request(as_anonymous), public=True)
