"""Sample data that uploaded templates are tried against before they are used."""


def sample_meeting_context(kind: str) -> dict:
    """Sample data for validating an uploaded notice, minutes or extract template."""
    item = {
        "paragraph": "§ 1",
        "number": 1,
        "title": "Mötets öppnande",
        "kind": "Information",
        "kind_note": "information",
        "presenter": "Ordföranden",
        "minutes": "5 min",
        "description": "",
        "papers": "",
        "outcome": "Ordföranden förklarade mötet öppnat.",
        "conflicts": "",
        "dispatch": ["Stockholms stad", "Kommunförbundet Stockholms Län"],
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
        "quorum": "Styrgruppen för Origo är beslutför: 7 av 10 ledamöter är närvarande (minst 6 krävs).",
        "checkers": "Bo Exempel och Cecilia Exempel",
        "approval_place_time": "Stadshuset, 2025-03-18",
        "paragraphs": "§ 1–6",
        "signatures": [
            {"role": "Ordförande", "name": "Anna Exempel", "title": "Ordförande"},
            {"role": "Justerare", "name": "Bo Exempel", "title": "Justerare"},
        ],
        "signature_line": "_" * 36,
        "approved_on": "2025-03-18",
        "approved_text": "Justerat den 2025-03-18",
        "version_note": "",
        "item": item,
        "chair": "Anna Exempel",
        "chair_title": "Ordförande",
        "secretary": "Dag Exempel",
        "secretary_title": "Utvecklingssekreterare",
        "secretary_line": "Dag Exempel, utvecklingssekreterare",
        "sent_on": "4 mars 2025",
        "rsvp_note": "Meddela om du kommer.",
    }
    return base
