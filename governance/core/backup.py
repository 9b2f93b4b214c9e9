"""Backup and restore of the database and the stored files, with a manifest of checksums.

``backup_create`` writes ``<out>/<UTC time>/`` with the database (PostgreSQL: ``pg_dump -Fc`` in the snapshot the
chain head was read in; SQLite: the online backup API), a copy of every file in the default storage under
``media/`` (signed PDFs, generated documents, uploaded templates, attachments, minutes) and ``manifest.json``: the
SHA-256 of every file and the audit chain head (count, hash) of the copied database.

``restore_run`` checks every checksum before it touches anything, refuses a non-empty database unless told,
restores the database (``pg_restore --clean`` / the SQLite backup API) and the files, then verifies the audit chain
against the manifest's head and every stored file against the database (exists; its SHA-256 where the row keeps
one). Messages are Swedish (``BackupError``).
"""

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, models, transaction

from .caching import generation_jump
from .models import GENESIS_HASH, AuditChainHead

MANIFEST = "manifest.json"
FORMAT = 1
#: Tables that ``migrate`` fills by itself: rows there do not make a database "non-empty".
_SCAFFOLDING = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """A backup or restore that must stop; the message is Swedish and may span several lines."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict | None = None) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} misslyckades (status {result.returncode}):\n{result.stderr.strip()}")


def _head_of(cursor) -> dict:
    cursor.execute("SELECT count, last_hash FROM core_auditchainhead WHERE id = 1")
    row = cursor.fetchone()
    return {"count": row[0], "hash": row[1]} if row else {"count": 0, "hash": GENESIS_HASH}


def _database_dump(connection, folder: Path) -> tuple[str, dict]:
    """Copy the database into ``folder``; return the file's name and the audit head of the copy."""
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            # The backup API waits for the connection's own write transaction to end: it never would.
            raise BackupError("backup kan inte köras inuti en transaktion på SQLite.")
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            head = _head_of(copy.cursor())
        finally:
            copy.close()
        return target.name, head
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        args, env = _pg_args(connection.settings_dict)
        command = ["pg_dump", "-Fc", "--no-owner", "-f", str(target), *args]
        if connection.in_atomic_block:  # inside a caller's transaction: pg_dump sees only committed rows
            with connection.cursor() as cursor:
                head = _head_of(cursor)
            _run([*command, connection.settings_dict["NAME"]], env)
            return target.name, head
        # Read the head in the very snapshot pg_dump copies, so the manifest's head is the dump's.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            head = _head_of(cursor)
            _run([*command, f"--snapshot={snapshot}", connection.settings_dict["NAME"]], env)
        return target.name, head
    raise BackupError(f"Databastypen {connection.vendor} stöds inte av backup.")


def _storage_files(storage, folder: str = ""):
    directories, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from _storage_files(storage, f"{folder}/{directory}" if folder else directory)


def backup_create(out: Path, *, using: str = "default") -> Path:
    """Write one backup folder under ``out`` and return it."""
    connection = connections[using]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(out) / stamp
    folder.mkdir(parents=True)
    database_file, head = _database_dump(connection, folder)
    media = folder / "media"
    media.mkdir()
    try:
        names = list(_storage_files(default_storage))
    except FileNotFoundError:  # no file stored yet
        names = []
    for name in names:
        target = media / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy)
    files = {
        path.relative_to(folder).as_posix(): _sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {"vendor": connection.vendor, "file": database_file},
        "audit_head": head,
        "media_files": len(names),
        "files": files,
    }
    manifest["signature"] = manifest_signature(manifest)
    (folder / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return folder


def manifest_verify(folder: Path) -> dict:
    """Read the manifest and check every file's checksum; raise ``BackupError`` listing every problem."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"Säkerhetskopian saknar en läsbar {MANIFEST} i {folder}: {exc}") from exc
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{MANIFEST} i {folder} har ett okänt format.")
    problems = []
    root = folder.resolve()
    # Signed with the anchor key: a backup whose database was rewritten and its checksum recomputed is refused.
    signature = manifest.get("signature", "")
    if not hmac.compare_digest(str(signature), manifest_signature(manifest)):
        problems.append(
            f"{MANIFEST} är inte signerad med installationens nyckel (ändrad, eller från en annan)"
        )
    # Only what the manifest lists is restored: a file slipped into the folder is refused, not copied.
    listed = set(manifest["files"])
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and path.name != MANIFEST and name not in listed:
            problems.append(f"{name} finns i säkerhetskopian men inte i manifestet")
    if manifest["database"]["file"] not in manifest["files"]:
        problems.append(f"databasfilen {manifest['database']['file']} finns inte i manifestet")
    for name, digest in sorted(manifest["files"].items()):
        path = (folder / name).resolve()
        if root not in path.parents:
            problems.append(f"{name}: sökvägen pekar utanför säkerhetskopian")
        elif not path.is_file():
            problems.append(f"{name} saknas")
        elif _sha256(path) != digest:
            problems.append(f"{name}: kontrollsumman stämmer inte (filen är ändrad eller skadad)")
    if problems:
        raise BackupError(
            "Säkerhetskopian är skadad; ingenting har återställts:\n" + "\n".join(f"- {p}" for p in problems)
        )
    return manifest


def manifest_signature(manifest: dict) -> str:
    """HMAC-SHA256 of the manifest without its signature, with the audit anchors' key."""
    from .anchors import anchor_key

    body = json.dumps(
        {k: v for k, v in manifest.items() if k != "signature"}, sort_keys=True, ensure_ascii=False
    )
    return hmac.new(anchor_key(), body.encode("utf-8"), hashlib.sha256).hexdigest()


def database_is_empty(*, using: str = "default") -> bool:
    """No rows in any of the project's tables (those ``migrate`` fills by itself aside)."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.label_lower in _SCAFFOLDING or model._meta.db_table not in tables:
            continue
        if model._base_manager.using(using).exists():
            return False
    return True


def _database_load(connection, path: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(
            f"Säkerhetskopian är från {vendor} men databasen är {connection.vendor}; ingenting har återställts."
        )
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    args, env = _pg_args(connection.settings_dict)
    connection.close()  # pg_restore drops and recreates the tables; hold no connection meanwhile
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "-d",
            connection.settings_dict["NAME"],
            str(path),
        ],
        env,
    )


def _media_load(folder: Path) -> int:
    media = folder / "media"
    count = 0
    for path in sorted(media.rglob("*")) if media.exists() else []:
        if not path.is_file():
            continue
        name = path.relative_to(media).as_posix()
        if default_storage.exists(name):
            default_storage.delete(name)
        with path.open("rb") as handle:
            saved = default_storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"Filen {name} sparades som {saved}; lagringen döper om filer.")
        count += 1
    return count


def stored_files_verify(*, using: str = "default") -> tuple[int, list[str]]:
    """Every file a FileField names exists; where the row keeps a ``sha256``, its first file has that checksum.

    (``Signature.document``, ``RecommendationAttachment.file``, ``GeneratedDocument.file`` and
    ``CustomTemplate.file`` keep one.) Returns the number of files checked and the problems, in Swedish.
    """
    checked, problems = 0, []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if not fields:
            continue
        has_sha = any(f.name == "sha256" for f in model._meta.concrete_fields)
        values = ["pk", *(f.name for f in fields), *(["sha256"] if has_sha else [])]
        for row in model._base_manager.using(using).values(*values).iterator():
            for index, file_field in enumerate(fields):
                name = row[file_field.name]
                if not name:
                    continue
                checked += 1
                label = f"{model._meta.verbose_name} {row['pk']} ({file_field.name})"
                if not file_field.storage.exists(name):
                    problems.append(f"{label}: filen {name} saknas")
                    continue
                if index == 0 and has_sha and row["sha256"]:
                    digest = hashlib.sha256()
                    with file_field.storage.open(name, "rb") as handle:
                        for chunk in iter(lambda handle=handle: handle.read(1 << 20), b""):
                            digest.update(chunk)
                    if digest.hexdigest() != row["sha256"]:
                        problems.append(f"{label}: filen {name} har fel kontrollsumma")
    return checked, problems


@dataclass
class RestoreReport:
    events: int = 0
    media_files: int = 0
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def restore_run(folder: Path, *, force: bool = False, using: str = "default") -> RestoreReport:
    """Restore one backup folder; see the module docstring. ``BackupError`` before anything is touched if the
    backup is damaged or the database is not empty (without ``force``); afterwards the report lists problems."""
    from .anchors import AnchorError, anchor_last
    from .queries import audit_chain_verify
    from .services import audit_anchor_write

    folder = Path(folder)
    manifest = manifest_verify(folder)
    connection = connections[using]
    if manifest["database"]["vendor"] != connection.vendor:
        raise BackupError(
            f"Säkerhetskopian är från {manifest['database']['vendor']} men databasen är {connection.vendor}; "
            "ingenting har återställts."
        )
    if not force and not database_is_empty(using=using):
        raise BackupError(
            "Databasen är inte tom; ingenting har återställts. Ange --yes för att skriva över den."
        )
    report = RestoreReport()
    _database_load(connection, folder / manifest["database"]["file"], manifest["database"]["vendor"])
    # The data generations go back to the backup's values: move them far on, so no page or allocation kept
    # before the restore (in a shared cache) matches a generation counted again after it (core.caching).
    generation_jump(using=using)
    report.media_files = _media_load(folder)

    checked, broken = audit_chain_verify(anchor=False)
    report.events = checked
    if broken is not None:
        where = f" vid händelse {broken.event_id}" if broken.event_id is not None else ""
        report.problems.append(f"Granskningsloggen är bruten{where}: {broken.reason}")
    head = AuditChainHead.objects.using(using).filter(pk=1).values("count", "last_hash").first() or {
        "count": 0,
        "last_hash": GENESIS_HASH,
    }
    expected = manifest["audit_head"]
    if (head["count"], head["last_hash"]) != (expected["count"], expected["hash"]):
        report.problems.append(
            f"Granskningsloggens huvud ({head['count']} händelser) stämmer inte med manifestet "
            f"({expected['count']} händelser)"
        )
    report.files_checked, file_problems = stored_files_verify(using=using)
    report.problems += file_problems
    if report.problems:
        return report

    try:
        last = anchor_last()
    except AnchorError as exc:
        last = None
        report.notes.append(f"Det senaste ankaret kunde inte läsas: {exc}")
    if last is not None and last.count > head["count"]:
        report.notes.append(
            f"Obs: det senaste ankaret ({last.at}) anger {last.count} händelser; säkerhetskopian har "
            f"{head['count']}. Händelserna efter kopian finns inte i den återställda databasen."
        )
    elif last is not None:
        _checked, off_anchor = audit_chain_verify()
        if off_anchor is not None:
            report.notes.append(
                f"Obs: den återställda kedjan stämmer inte med det senaste ankaret: {off_anchor.reason}."
            )
    anchor = audit_anchor_write(note="restore", verify=False)
    report.notes.append(f"Nytt ankare efter återställningen: {anchor.line()}")
    return report
