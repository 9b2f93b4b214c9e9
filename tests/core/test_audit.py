import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from governance.core.models import AuditCheck, AuditEvent, AuditImmutableError
from governance.core.queries import audit_chain_verify
from governance.core.services import audit_check_run, audit_record
from governance.core.tasks import audit_chain_check
from governance.parties.choices import PartyAction
from governance.parties.models import Organisation


def _record(user=None, **kwargs):
    organisation = Organisation.objects.get(municipality_code="0162")
    return audit_record(acting_user=user, action=PartyAction.ORGANISATION_UPDATED, obj=organisation, **kwargs)


def test_rows_are_chained_and_copy_actor_and_label(danderyd_clerk):
    first = _record(danderyd_clerk, payload={"n": 1})
    second = _record(danderyd_clerk, comment="andra")
    assert second.prev_hash == first.hash
    assert first.actor_name == "David Dahlgren (danderyd)"
    assert first.object_label == "Danderyds kommun"
    assert first.hash == first.compute_hash()
    checked, broken = audit_chain_verify()
    assert broken is None and checked == AuditEvent.objects.count()


def test_audit_rows_survive_the_deletion_of_the_actor(danderyd_clerk):
    event = _record(danderyd_clerk)
    user_id = danderyd_clerk.pk
    danderyd_clerk.delete()
    event.refresh_from_db()
    assert event.actor_id == user_id and event.actor_name == "David Dahlgren (danderyd)"
    assert audit_chain_verify()[1] is None


def test_the_application_refuses_updates_and_deletes(db):
    event = _record()
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(comment="ändrad")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_a_tampered_row_is_detected_and_named(db, capsys):
    _record()
    victim = _record(comment="original")
    _record()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
            cursor.execute("UPDATE core_auditevent SET comment = 'förfalskad' WHERE id = %s", [victim.pk])
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    else:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET comment = 'förfalskad' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=f"bruten vid händelse {victim.pk}: radens innehåll"):
        call_command("verify_audit")
    check = audit_check_run()
    assert not check.intact and check.broken_event_id == victim.pk


def test_verify_audit_reports_an_intact_chain(db, capsys):
    _record()
    call_command("verify_audit")
    assert "Granskningsloggen är intakt" in capsys.readouterr().out


def test_the_nightly_task_body_stores_a_check(db):
    check_id = audit_chain_check()
    check = AuditCheck.objects.get(pk=check_id)
    assert check.intact and check.rows_checked == AuditEvent.objects.count()


def test_an_audit_row_rolls_back_with_its_change(db):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _record()
        raise RuntimeError
    assert AuditEvent.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_trigger_refuses_raw_updates_and_deletes(db):
    from django.db import DatabaseError

    event = _record()
    for sql in (
        "UPDATE core_auditevent SET comment = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])


@pytest.mark.django_db
def test_an_action_outside_the_closed_lists_is_refused():
    organisation = Organisation.objects.get(municipality_code="0162")
    before = AuditEvent.objects.count()
    with pytest.raises(TypeError, match="AuditAction"):
        audit_record(acting_user=None, action="organisation.renamed", obj=organisation)
    assert AuditEvent.objects.count() == before


def test_every_action_is_unique_past_tense_and_labelled_in_swedish():
    from governance.core.choices import AuditAction, all_audit_actions

    values = [value for enum in all_audit_actions() for value in enum.values]
    assert len(values) == len(set(values)), "an action value is used by two lists"
    for enum in all_audit_actions():
        for member in enum:
            noun, _dot, verb = member.value.partition(".")
            assert noun and verb, member
            # past tense: "created", "sent", "held", "given" …
            assert any(word.endswith(("ed", "sent", "held", "given", "drawn")) for word in verb.split("_")), (
                member
            )
            assert str(member.label) and str(member.label) != member.value, member
    assert AuditAction.label_for("case.proposed") == "Förslag till beslut lades fram"
