"""Archive packages: a zip with the files, their SHA-256 checksums (``SHA256SUMS``) and the ERMS metadata
(``erms.xml``), and the check that a package is whole (``package_verify``).

The owning apps build the case (``erms.ErmsCase``) and collect the files; this module packs and verifies.
"""

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from . import erms
from .models import DiaryCase, DiaryEntry

METADATA_NAME = "erms.xml"
CHECKSUMS_NAME = "SHA256SUMS"
FILES_DIR = "filer"
#: A fixed time for the zip entries, so the same package is byte-for-byte the same.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackageFile:
    path: str
    content: bytes


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _agent(name: str, agent_type: str, organisation: str = "") -> erms.ErmsAgent | None:
    return erms.ErmsAgent(name=name[:300], agent_type=agent_type, organisation=organisation) if name else None


def diary_records(diary_case: DiaryCase) -> tuple[list[erms.ErmsRecord], list[PackageFile]]:
    """The case's registered documents as ERMS records, and their files (read from the storage; a file that is
    gone is listed without a file, never invented)."""
    records, files = [], []
    entries = DiaryEntry.objects.filter(case=diary_case).order_by("number")
    for entry in entries:
        entry.case = (
            diary_case  # its diary number names the case and series, already loaded: no query per entry
        )
        path, digest, content = "", "", None
        if entry.file_name and default_storage.exists(entry.file_name):
            with default_storage.open(entry.file_name, "rb") as handle:
                content = handle.read()
            extension = entry.file_name.rsplit(".", 1)[-1].lower() if "." in entry.file_name else "bin"
            path = f"{FILES_DIR}/{entry.number:03d}-{entry.pk}.{extension}"
            digest = sha256(content)
            files.append(PackageFile(path=path, content=content))
        counterpart_type = "sender" if entry.direction == "incoming" else "recipient"
        agents = [
            a
            for a in (
                _agent(entry.counterpart, counterpart_type if entry.direction != "drawn_up" else "creator"),
                _agent(entry.registered_by_name, "opening_person"),
            )
            if a
        ]
        records.append(
            erms.ErmsRecord(
                system_id=f"diary-entry-{entry.pk}",
                diary_number=entry.diary_number,
                running_number=entry.number,
                title=entry.title,
                direction=entry.direction,
                registered_on=entry.registered_on,
                agents=tuple(agents),
                secrecy=entry.secrecy,
                path=path,
                file_name=entry.file_label,
                sha256=digest,
            )
        )
    return records, files


def package_build(
    case: erms.ErmsCase, files: list[PackageFile], *, created_at: dt.datetime | None = None
) -> bytes:
    """The zip: ``filer/…``, ``erms.xml`` and ``SHA256SUMS`` (``<sha256>  <path>`` per line, the XML too)."""
    xml = erms.case_file_xml(case, created_at=created_at or timezone.now())
    members = [*files, PackageFile(path=METADATA_NAME, content=xml)]
    sums = "".join(f"{sha256(member.content)}  {member.path}\n" for member in members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in [*members, PackageFile(path=CHECKSUMS_NAME, content=sums.encode())]:
            archive.writestr(zipfile.ZipInfo(member.path, date_time=_ZIP_TIME), member.content)
    return buffer.getvalue()


def package_verify(content: bytes) -> list[str]:
    """Every problem of a package (empty: whole): the zip opens; ``SHA256SUMS`` lists every other file and
    each checksum matches; ``erms.xml`` validates against ERMS_v3.xsd; each file the XML lists is in the zip
    with the checksum the XML gives."""
    problems = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return ["Filen är inte ett zip-arkiv."]
    with archive:
        names = {name for name in archive.namelist() if not name.endswith("/")}  # a re-zip adds folders
        if CHECKSUMS_NAME not in names:
            return [f"{CHECKSUMS_NAME} saknas."]
        listed = {}
        for line in archive.read(CHECKSUMS_NAME).decode("utf-8", "replace").splitlines():
            digest, _sep, path = line.partition("  ")
            if path:
                listed[path] = digest
        for path in sorted(names - {CHECKSUMS_NAME} - set(listed)):
            problems.append(f"{path}: finns i paketet men inte i {CHECKSUMS_NAME}.")
        actual = {}
        for path, digest in sorted(listed.items()):
            if path not in names:
                problems.append(f"{path}: saknas i paketet.")
                continue
            actual[path] = sha256(archive.read(path))
            if actual[path] != digest:
                problems.append(f"{path}: kontrollsumman stämmer inte.")
        if METADATA_NAME not in names:
            problems.append(f"{METADATA_NAME} saknas.")
            return problems
        xml = archive.read(METADATA_NAME)
        problems += [f"{METADATA_NAME}: {error}" for error in erms.validation_errors(xml)]
        if not any(p.startswith(f"{METADATA_NAME}: XML") for p in problems):
            for path, digest in sorted(erms.record_checksums(xml).items()):
                if path not in names:
                    problems.append(f"{path}: finns i {METADATA_NAME} men inte i paketet.")
                elif actual.get(path, sha256(archive.read(path))) != digest:
                    problems.append(f"{path}: kontrollsumman i {METADATA_NAME} stämmer inte.")
    return problems
