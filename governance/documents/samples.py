"""Sample data that uploaded templates are tried against before they are used."""


def sample_meeting_context(kind: str) -> dict:
    """Sample data for validating an uploaded notice, minutes or extract template."""
    item = {
        "paragraph": "§ 1",
        "number": 1,
        "title": "Mötets öppnande",
        "kind": "Information",
        "presenter": "Ordföranden",
        "minutes": "5 min",
        "description": "",
        "papers": "",
        "outcome": "Ordföranden förklarade mötet öppnat.",
        "conflicts": "",
    }
    base = {
        "organisation": "Stockholms stad",
        "department": "",
        "date_iso": "2025-03-11",
        "registration_label": "",
        "handler_line": "",
        "body": "Styrgruppen för Origo",
        "title": "Styrgruppen för Origo",
        "when": "tisdagen den 11 mars 2025 kl. 13.00–15.00",
        "place": "Stadshuset",
        "video_link": "",
        "items": [item],
        "present": ["Anna Exempel, ordförande"],
        "absent": [],
        "substitutes": [],
        "quorum": "Mötet var beslutfört (4 av 6).",
        "checkers": "Bo Exempel och Cecilia Exempel",
        "signatures": [{"role": "Ordförande", "name": "Anna Exempel"}],
        "version_note": "",
        "item": item,
        "chair": "Anna Exempel",
        "secretary": "Bo Exempel",
        "rsvp_note": "Meddela om du kommer.",
    }
    return base
