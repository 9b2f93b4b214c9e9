"""API tokens: only the hash is stored, the secret is shown once, revoked tokens are refused, all audited."""

import hashlib

import pytest
from django.urls import reverse

from governance.api import services
from governance.api.models import ApiToken
from governance.core.models import AuditEvent


def test_create_stores_only_the_hash_and_writes_an_audit_row(danderyd_clerk):
    token, secret = services.api_token_create(acting_user=danderyd_clerk, name="Ärendesystemet")
    token.refresh_from_db()
    assert len(secret) >= 40
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(secret in value for value in stored)
    assert token.prefix == secret[:8]
    event = AuditEvent.objects.get(action="api_token.created", object_id=str(token.pk))
    assert event.actor == danderyd_clerk
    assert secret not in str(event.payload)


def test_name_is_required_and_bounded(danderyd_clerk):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.api_token_create(acting_user=danderyd_clerk, name="   ")
    with pytest.raises(ValidationError):
        services.api_token_create(acting_user=danderyd_clerk, name="x" * 101)
    assert not ApiToken.objects.filter(user=danderyd_clerk).exists()


def test_token_and_bearer_authenticate_and_record_last_use(danderyd_clerk, token_for, client):
    secret = token_for(danderyd_clerk)
    for scheme in ("Token", "Bearer"):
        response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"{scheme} {secret}")
        assert response.status_code == 200
    assert ApiToken.objects.get(user=danderyd_clerk).last_used_at is not None


def test_revoked_token_is_refused_and_revoking_is_audited(danderyd_clerk, token_for, client):
    secret = token_for(danderyd_clerk)
    token = ApiToken.objects.get(user=danderyd_clerk)
    services.api_token_revoke(acting_user=danderyd_clerk, token=token)
    services.api_token_revoke(acting_user=danderyd_clerk, token=token)  # twice: one row
    assert AuditEvent.objects.filter(action="api_token.revoked", object_id=str(token.pk)).count() == 1
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_of_an_inactive_user_is_refused(danderyd_clerk, token_for, client):
    secret = token_for(danderyd_clerk)
    danderyd_clerk.is_active = False
    danderyd_clerk.save(update_fields=["is_active"])
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401


def test_nobody_revokes_another_users_token(danderyd_clerk, ekero_clerk, client):
    from django.core.exceptions import PermissionDenied

    token, _secret = services.api_token_create(acting_user=danderyd_clerk, name="A")
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(acting_user=ekero_clerk, token=token)
    client.force_login(ekero_clerk)
    assert client.post(reverse("api_tokens:revoke", kwargs={"pk": token.pk})).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_creates_shows_the_secret_once_lists_and_revokes(danderyd_clerk, client):
    assert client.get(reverse("api_tokens:list")).status_code == 302  # login first
    client.force_login(danderyd_clerk)
    page = client.get(reverse("api_tokens:list"))
    assert page.status_code == 200
    assert "API-nycklar" in page.content.decode()
    assert client.post(reverse("api_tokens:list"), {"name": ""}).status_code == 400
    assert not ApiToken.objects.exists()

    created = client.post(reverse("api_tokens:list"), {"name": "Ärendesystemet"})
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=danderyd_clerk)
    secret = created.content.decode().split("Authorization: Token ")[1].split("<")[0].strip()
    assert hashlib.sha256(secret.encode()).hexdigest() == token.key_hash
    listed = client.get(reverse("api_tokens:list")).content.decode()
    assert "Ärendesystemet" in listed and token.prefix in listed and secret not in listed

    assert client.post(reverse("api_tokens:revoke", kwargs={"pk": token.pk})).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=danderyd_clerk).count() == 1


def test_the_user_menu_links_to_the_token_page(danderyd_clerk, client):
    client.force_login(danderyd_clerk)
    assert reverse("api_tokens:list") in client.get("/").content.decode()
