"""manage.py backup and restore: database, stored files, manifest, and the checks after a restore (issue 12, 10)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from governance.agreements.models import Signature
from governance.core.anchors import anchor_last
from governance.core.backup import manifest_signature, manifest_verify, stored_files_verify
from governance.core.models import AuditChainHead, AuditEvent
from governance.core.queries import audit_chain_verify
from governance.core.services import audit_record
from governance.parties.choices import PartyAction
from governance.parties.models import Organisation

ROOT = Path(__file__).resolve().parents[2]


def _record(comment=""):
    organisation = Organisation.objects.get(municipality_code="0162")
    return audit_record(
        acting_user=None, action=PartyAction.ORGANISATION_UPDATED, obj=organisation, comment=comment
    )


def _backup(out: Path) -> Path:
    call_command("backup", "--out", str(out), verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    (folder,) = out.iterdir()
    return folder


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite round trip; PostgreSQL's is below")
def test_sqlite_round_trip(transactional_db, tmp_path, capsys):
    _record("i kopian")
    folder = _backup(tmp_path / "backups")
    head = AuditChainHead.objects.get(pk=1)
    count, last_hash = head.count, head.last_hash
    manifest = manifest_verify(folder)
    assert manifest["audit_head"] == {"count": count, "hash": last_hash}
    assert manifest["database"] == {"vendor": "sqlite", "file": "database.sqlite3"}
    assert manifest["database"]["file"] in manifest["files"]
    signature = Signature.objects.exclude(document="").first()
    assert f"media/{signature.document.name}" in manifest["files"]
    assert manifest["media_files"] > 0

    # Afterwards: a new row, and a signed copy lost from the storage.
    _record("efter kopian")
    default_storage.delete(signature.document.name)
    assert stored_files_verify()[1]

    # A corrupted copy of the backup is refused before anything is touched.
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    victim = f"media/{signature.document.name}"
    (damaged / victim).write_bytes((damaged / victim).read_bytes() + b"x")
    with pytest.raises(CommandError, match=f"skadad; ingenting har återställts:\n- {victim}: kontrollsumman"):
        call_command("restore", str(damaged), "--yes")
    assert AuditEvent.objects.filter(comment="efter kopian").exists()
    # Without --yes a database that is not empty is refused.
    with pytest.raises(CommandError, match="Databasen är inte tom"):
        call_command("restore", str(folder))
    assert AuditEvent.objects.filter(comment="efter kopian").exists()

    call_command("restore", str(folder), "--yes")
    out = capsys.readouterr().out
    assert "Återställt: granskningsloggen är intakt" in out
    head = AuditChainHead.objects.get(pk=1)
    assert (head.count, head.last_hash) == (count, last_hash)
    assert not AuditEvent.objects.filter(comment="efter kopian").exists()
    assert default_storage.exists(signature.document.name)
    checked, problems = stored_files_verify()
    assert checked > 0 and problems == []
    assert audit_chain_verify()[1] is None
    assert anchor_last().note == "restore" and anchor_last().count == count


def test_backup_inside_a_transaction_on_sqlite_is_refused(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(CommandError, match="inuti en transaktion"):
        call_command("backup", "--out", str(tmp_path))


def test_a_backup_without_a_manifest_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match=r"saknar en läsbar manifest\.json"):
        call_command("restore", str(tmp_path), "--yes")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="restores into the test database")
def test_a_restore_with_a_missing_or_wrong_file_says_which(transactional_db, tmp_path):
    folder = _backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    signature = Signature.objects.exclude(document="").order_by("pk")[0]
    other = Signature.objects.exclude(document="").order_by("pk")[1]
    # A consistent manifest without one file, and another file swapped for different content.
    missing = f"media/{signature.document.name}"
    (folder / missing).unlink()
    del manifest["files"][missing]
    swapped = folder / f"media/{other.document.name}"
    swapped.write_bytes(b"%PDF-1.4 inte det undertecknade exemplaret")
    manifest["files"][f"media/{other.document.name}"] = hashlib.sha256(swapped.read_bytes()).hexdigest()
    manifest["signature"] = manifest_signature(manifest)  # someone who holds the key: the checks after it
    (folder / "manifest.json").write_text(json.dumps(manifest))
    default_storage.delete(signature.document.name)

    with pytest.raises(CommandError) as excinfo:
        call_command("restore", str(folder), "--yes")
    message = str(excinfo.value)
    assert "kontrollen hittade fel" in message
    assert f"filen {signature.document.name} saknas" in message
    assert f"filen {other.document.name} har fel kontrollsumma" in message


@pytest.mark.services
def test_postgresql_round_trip_into_another_database(transactional_db, tmp_path):
    assert connection.vendor == "postgresql"
    _record("i kopian")
    folder = _backup(tmp_path / "backups")
    head = AuditChainHead.objects.get(pk=1)
    settings_dict = connection.settings_dict
    target = f"{settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{target}"
        ),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "restored-media"),
        "AUDIT_ANCHOR_PATH": str(tmp_path / "anchors.log"),
    }
    command = [sys.executable, "manage.py", "restore", str(folder)]
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    with (damaged / "database.dump").open("ab") as handle:
        handle.write(b"x")
    try:
        refused = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "restore", str(damaged)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert refused.returncode != 0 and "database.dump: kontrollsumman stämmer inte" in refused.stderr
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        assert result.returncode == 0, result.stderr
        assert f"granskningsloggen är intakt ({head.count} händelser)" in result.stdout
        assert (
            tmp_path / "restored-media" / Signature.objects.exclude(document="").first().document.name
        ).exists()
        verify = subprocess.run(
            [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert verify.returncode == 0 and f"{head.count} händelser" in verify.stdout
        again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        assert again.returncode != 0 and "Databasen är inte tom" in again.stderr
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "sqlite", reason="restores into the test database")
def test_a_rewritten_backup_or_a_slipped_in_file_is_refused_before_restoring(transactional_db, tmp_path):
    """Trial findings: a database rewritten with its checksum recomputed restored cleanly; a file not in the
    manifest was restored too. The manifest is signed with the installation's key; only listed files count."""
    folder = _backup(tmp_path / "backups")
    forged = tmp_path / "forged"
    shutil.copytree(folder, forged)
    database = forged / "database.sqlite3"
    database.write_bytes(database.read_bytes() + b"\0")
    manifest = json.loads((forged / "manifest.json").read_text())
    manifest["files"]["database.sqlite3"] = hashlib.sha256(database.read_bytes()).hexdigest()
    (forged / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="inte signerad med installationens nyckel"):
        call_command("restore", str(forged), "--yes")

    slipped = tmp_path / "slipped"
    shutil.copytree(folder, slipped)
    (slipped / "media" / "extra").mkdir(parents=True)
    (slipped / "media" / "extra" / "evil.txt").write_text("x")
    with pytest.raises(
        CommandError, match=r"media/extra/evil\.txt finns i säkerhetskopian men inte i manifestet"
    ):
        call_command("restore", str(slipped), "--yes")
    assert not default_storage.exists("extra/evil.txt")
