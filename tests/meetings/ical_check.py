"""A strict second check of the .ics the meetings produce, independent of icalendar's own parser.

No maintained pure-Python RFC 5545 validator is on PyPI (pyICSParser is an unmaintained 2014 alpha), so these
are the rules the calendars must keep, checked on the raw bytes: CRLF line ends, no line longer than 75 octets,
BEGIN/END balanced, the required properties present, and every TZID resolving to a VTIMEZONE of the same
calendar.
"""

import re

from icalendar import Calendar

#: Required once in each component (RFC 5545 3.6 and 3.6.1; DTSTART because the calendars carry no METHOD
#: that would allow leaving it out).
REQUIRED = {
    "VCALENDAR": {"PRODID", "VERSION"},
    "VEVENT": {"UID", "DTSTAMP", "DTSTART"},
    "VTIMEZONE": {"TZID"},
}
UTC_STAMP = re.compile(r"^\d{8}T\d{6}Z$")


class IcsError(AssertionError):
    """The calendar breaks one of the rules."""


def _name(line: str) -> tuple[str, dict[str, str], str]:
    """A content line's name, parameters and value (quoted parameter values may hold ``:`` and ``;``)."""
    match = re.match(
        r'^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*):(.*)$', line
    )
    if not match:
        raise IcsError(f"Not a content line: {line!r}")
    params = dict(
        (key.upper(), value.strip('"'))
        for key, value in re.findall(r';([A-Za-z0-9-]+)=("[^"]*"|[^";:]*)', match.group(2))
    )
    return match.group(1).upper(), params, match.group(3)


def check_ics(data: bytes) -> Calendar:
    """Raise ``IcsError`` unless ``data`` keeps the rules; return it parsed by icalendar (the first parser)."""
    if not data.endswith(b"\r\n"):
        raise IcsError("The calendar does not end with CRLF.")
    raw_lines = data[:-2].split(b"\r\n")
    for number, raw in enumerate(raw_lines, start=1):
        if b"\n" in raw or b"\r" in raw:
            raise IcsError(f"Line {number} has a bare LF or CR.")
        if len(raw) > 75:
            raise IcsError(f"Line {number} is {len(raw)} octets long (at most 75).")
        raw.decode("utf-8")  # strict: the octets must be UTF-8 (a fold must not split a character either)
    unfolded: list[bytes] = []
    for raw in raw_lines:
        if raw[:1] in (b" ", b"\t"):
            if not unfolded:
                raise IcsError("The calendar starts with a continuation line.")
            unfolded[-1] += raw[1:]
        else:
            unfolded.append(raw)
    stack: list[tuple[str, set[str]]] = []
    tzids, used_tzids, components = set(), set(), 0
    for raw in unfolded:
        name, params, value = _name(raw.decode("utf-8"))
        if name == "BEGIN":
            stack.append((value.upper(), set()))
            components += 1
            continue
        if name == "END":
            if not stack or stack[-1][0] != value.upper():
                raise IcsError(f"END:{value} does not close {stack[-1][0] if stack else 'anything'}.")
            component, seen = stack.pop()
            missing = REQUIRED.get(component, set()) - seen
            if missing:
                raise IcsError(f"{component} lacks {', '.join(sorted(missing))}.")
            if stack == [] and component != "VCALENDAR":
                raise IcsError("A component outside VCALENDAR.")
            continue
        if not stack:
            raise IcsError(f"{name} outside any component.")
        component, seen = stack[-1]
        if name in REQUIRED.get(component, set()) and name in seen:
            raise IcsError(f"{name} twice in {component}.")
        seen.add(name)
        if component == "VTIMEZONE" and name == "TZID":
            tzids.add(value)
        if "TZID" in params:
            used_tzids.add(params["TZID"])
        if name == "DTSTAMP" and not UTC_STAMP.match(value):
            raise IcsError(f"DTSTAMP {value} is not in UTC.")
        if component == "VCALENDAR" and name == "VERSION" and value != "2.0":
            raise IcsError(f"VERSION {value}.")
    if stack:
        raise IcsError(f"{stack[-1][0]} is never closed.")
    if not components or not unfolded[0].startswith(b"BEGIN:VCALENDAR"):
        raise IcsError("Not a VCALENDAR.")
    if used_tzids - tzids:
        raise IcsError(f"TZID without a VTIMEZONE: {', '.join(sorted(used_tzids - tzids))}.")
    return Calendar.from_ical(data)
