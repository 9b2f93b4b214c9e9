"""The chain head's count, the anchors outside the database, and the canonical hash (issue 12, item 5 and 10)."""

import datetime as dt
import io
import json
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from governance.core.anchors import anchor_last, anchor_path
from governance.core.models import AuditChainHead, AuditEvent
from governance.core.queries import audit_chain_verify
from governance.core.services import audit_anchor_write, audit_check_run, audit_record
from governance.core.tasks import audit_anchor
from governance.parties.choices import PartyAction
from governance.parties.models import Organisation


def _record(**kwargs):
    organisation = Organisation.objects.get(municipality_code="0162")
    return audit_record(acting_user=None, action=PartyAction.ORGANISATION_UPDATED, obj=organisation, **kwargs)


def _raw(sql, params=()):
    """Change the trail the way someone with database rights would: around the trigger on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def _delete_newest(n):
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[n - 1]
    _raw("DELETE FROM core_auditevent WHERE id >= %s", [newest])


def test_the_head_counts_the_rows(db):
    _record()
    _record()
    head = AuditChainHead.objects.get(pk=1)
    assert head.count == AuditEvent.objects.count()
    assert head.last_hash == AuditEvent.objects.order_by("-id").first().hash


def test_deleting_the_newest_rows_is_detected(db):
    _record()
    _record(comment="näst sista")
    _record(comment="sista")
    _delete_newest(2)
    checked, broken = audit_chain_verify()
    assert broken is not None and "de senaste raderna saknas" in broken.reason
    assert checked == AuditEvent.objects.count()
    with pytest.raises(CommandError, match=r"Granskningsloggen är bruten.*de senaste raderna saknas"):
        call_command("verify_audit")
    check = audit_check_run()
    assert not check.intact and "saknas" in check.reason


def test_a_changed_head_hash_is_reported_as_such(db):
    _record()
    AuditChainHead.objects.filter(pk=1).update(last_hash="f" * 64)
    broken = audit_chain_verify()[1]
    assert broken is not None and "har inte kedjans huvud" in broken.reason


def test_rows_the_head_does_not_count_are_detected(db):
    _record()
    _record()
    second_newest = AuditEvent.objects.order_by("-id")[1]
    AuditChainHead.objects.filter(pk=1).update(
        last_hash=second_newest.hash, count=AuditEvent.objects.count() - 1
    )
    broken = audit_chain_verify()[1]
    assert broken is not None and "utanför kedjan" in broken.reason


def test_deleting_rows_and_rewinding_the_head_is_caught_by_the_anchor(db):
    _record()
    anchor = audit_anchor_write()
    assert anchor is not None and anchor.count == AuditEvent.objects.count()
    _record()
    _record()
    # The attacker deletes the newest three rows (one of them anchored) and moves the head back to match.
    _delete_newest(3)
    last = AuditEvent.objects.order_by("-id").first()
    AuditChainHead.objects.filter(pk=1).update(last_hash=last.hash, count=AuditEvent.objects.count())
    assert audit_chain_verify(anchor=False)[1] is None  # the database alone looks intact
    broken = audit_chain_verify()[1]
    assert broken is not None and "rader efter ankaret har tagits bort" in broken.reason
    with pytest.raises(CommandError, match="ankaret"):
        call_command("verify_audit")
    # and the daily task refuses to anchor the rewound chain
    assert audit_anchor() is False
    assert anchor_last() == anchor


def test_a_rewritten_chain_of_the_same_length_is_caught_by_the_anchor(db):
    _record()
    audit_anchor_write()
    # Rewrite the anchored newest row and recompute its hash and the head, as someone with every right could.
    victim = AuditEvent.objects.order_by("-id").first()
    victim.comment = "förfalskad"
    new_hash = victim.compute_hash()
    _raw(
        "UPDATE core_auditevent SET comment = %s, hash = %s WHERE id = %s",
        ["förfalskad", new_hash, victim.pk],
    )
    AuditChainHead.objects.filter(pk=1).update(last_hash=new_hash)
    assert audit_chain_verify(anchor=False)[1] is None
    broken = audit_chain_verify()[1]
    assert broken is not None and "kedjan har skrivits om" in broken.reason


def test_an_untouched_chain_with_anchors_is_intact(db, capsys):
    _record()
    audit_anchor_write()
    _record()  # rows after the anchor are fine
    audit_anchor_write()
    _record()
    call_command("verify_audit")
    assert "Granskningsloggen är intakt" in capsys.readouterr().out
    assert audit_check_run().intact
    assert len(anchor_path().read_text().splitlines()) == 2


def test_a_forged_anchor_line_fails(db):
    _record()
    anchor = audit_anchor_write()
    forged = anchor.line().rsplit("\t", 1)[0] + "\t" + "0" * 64
    with anchor_path().open("a") as handle:
        handle.write(forged.replace(f"\t{anchor.count}\t", f"\t{anchor.count + 5}\t") + "\n")
    broken = audit_chain_verify()[1]
    assert broken is not None and "signatur är ogiltig" in broken.reason
    with pytest.raises(CommandError, match="signatur är ogiltig"):
        call_command("verify_audit")


def test_an_anchor_signed_with_another_key_fails(db, settings):
    _record()
    settings.AUDIT_ANCHOR_KEY = "en annan nyckel"
    audit_anchor_write()
    settings.AUDIT_ANCHOR_KEY = "den rätta nyckeln"
    assert "signatur är ogiltig" in audit_chain_verify()[1].reason


def test_the_daily_task_appends_a_line_and_mails_it(db, settings):
    settings.ADMINS = [("Drift", "drift@origo.example")]
    _record()
    assert audit_anchor() is True
    line = anchor_path().read_text().splitlines()[-1]
    at, count, head_hash, note, _signature = line.split("\t")
    assert int(count) == AuditEvent.objects.count() and note == "daily"
    assert head_hash == AuditChainHead.objects.get(pk=1).last_hash
    assert dt.datetime.fromisoformat(at).tzinfo is not None
    assert mail.outbox[-1].subject.endswith("Granskningsloggens ankare")
    assert line in mail.outbox[-1].body
    assert audit_anchor() is True  # twice is harmless: one more line for the same head
    assert len(anchor_path().read_text().splitlines()) == 2


def test_a_mail_failure_does_not_stop_the_anchor(db, settings):
    settings.ADMINS = [("Drift", "drift@origo.example")]
    _record()
    with mock.patch("django.core.mail.mail_admins", side_effect=OSError("SMTP nere")):
        assert audit_anchor() is True
    assert anchor_last().count == AuditEvent.objects.count()


def test_verify_audit_anchor_option_writes_an_anchor(db, capsys):
    _record()
    call_command("verify_audit", "--anchor")
    assert "Ankare skrivet" in capsys.readouterr().out
    assert anchor_last().note == "manual"


def test_the_hash_is_canonical_over_time_zone_and_line_ends(db):
    event = _record(comment="rad ett\r\nrad två", payload={"text": "a\r\nb"})
    stockholm = event.occurred_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    event.occurred_at = stockholm.replace(microsecond=(stockholm.microsecond // 1000) * 1000 + 999)
    event.comment = "rad ett\nrad två"
    event.payload = {"text": "a\nb"}
    assert event.compute_hash() == event.hash


def test_dumpdata_and_loaddata_keep_the_chain(db, tmp_path):
    """A round trip through dumpdata (milliseconds) and a tool that turns CRLF into LF keeps every hash."""
    _record(comment="Första raden\r\nAndra raden", payload={"anteckning": "ett\r\ntvå", "n": 1.5})
    _record()
    audit_anchor_write()
    out = io.StringIO()
    call_command("dumpdata", "core.auditevent", "core.auditchainhead", stdout=out)
    dumped = out.getvalue().replace("\\r\\n", "\\n")
    assert "\\r" not in dumped
    fixture = tmp_path / "audit.json"
    fixture.write_text(dumped, encoding="utf-8")
    count = AuditEvent.objects.count()
    call_command("flush", "--noinput", verbosity=0)
    assert AuditEvent.objects.count() == 0
    call_command("loaddata", str(fixture), verbosity=0)
    assert AuditEvent.objects.count() == count
    assert len(json.loads(dumped)) == count + 1
    checked, broken = audit_chain_verify()
    assert broken is None and checked == count
