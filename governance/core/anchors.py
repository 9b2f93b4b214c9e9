"""Anchors of the audit chain outside the database: one signed line per day in an append-only file.

A line is ``<ISO time UTC>\\t<count>\\t<head hash>\\t<note>\\t<HMAC-SHA256>``: the chain had ``count`` rows and the
newest one had ``head hash`` at that time. The HMAC covers the first four fields with ``AUDIT_ANCHOR_KEY``
(``SECRET_KEY`` when that is empty), so a line cannot be forged without the key. ``verify_audit`` checks that the
chain still holds a row at position ``count`` with that hash, so deleting rows and rewinding the chain head in
the database is detected. The file is opened with ``O_APPEND`` and never rewritten; it belongs on write-once or
append-only storage (``chattr +a``, a WORM bucket, another host), and every line is e-mailed to the admins too.
"""

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

#: How much of the file's end is read to find the last line.
_TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class Anchor:
    at: str
    count: int
    head_hash: str
    note: str
    signature: str

    def line(self) -> str:
        return "\t".join([self.at, str(self.count), self.head_hash, self.note, self.signature])


class AnchorError(Exception):
    """The anchor file's last line cannot be read or its signature is wrong (Swedish message)."""


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def anchor_key() -> bytes:
    return (getattr(settings, "AUDIT_ANCHOR_KEY", "") or settings.SECRET_KEY).encode("utf-8")


def _sign(at: str, count: int, head_hash: str, note: str) -> str:
    message = "\t".join([at, str(count), head_hash, note]).encode("utf-8")
    return hmac.new(anchor_key(), message, hashlib.sha256).hexdigest()


def anchor_make(*, count: int, head_hash: str, note: str = "daily", at: dt.datetime | None = None) -> Anchor:
    stamp = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    note = "".join(c for c in note if c.isalnum() or c in "-_") or "-"
    return Anchor(stamp, count, head_hash, note, _sign(stamp, count, head_hash, note))


def anchor_append(anchor: Anchor) -> None:
    """Append one line with O_APPEND (never truncating or seeking), creating the file and its folder if needed."""
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (anchor.line() + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def anchor_parse(line: str) -> Anchor:
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 5 or not parts[1].isdigit() or len(parts[2]) != 64:
        raise AnchorError("ankarraden kan inte läsas")
    anchor = Anchor(parts[0], int(parts[1]), parts[2], parts[3], parts[4])
    expected = _sign(anchor.at, anchor.count, anchor.head_hash, anchor.note)
    if not hmac.compare_digest(expected, anchor.signature):
        raise AnchorError("ankarradens signatur är ogiltig (förfalskad rad eller fel AUDIT_ANCHOR_KEY)")
    return anchor


def anchor_last() -> Anchor | None:
    """The newest anchor, or None when there is no anchor file yet. Raises ``AnchorError`` if it is unreadable."""
    path = anchor_path()
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - _TAIL_BYTES))
        tail = handle.read().decode("utf-8", errors="replace")
    lines = [line for line in tail.splitlines() if line.strip()]
    if not lines:
        return None
    return anchor_parse(lines[-1])
