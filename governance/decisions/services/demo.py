"""The demo round in the present, for ``load_origo``.

A fictitious renewal of Origo for the five years after this one, recommended by KSL's board some ten weeks
ago, the answer deadline a few days past: 26 cases in every open state (a few overdue by days), decisions
with their anslag dates, signatures, one municipality that declined and one case withdrawn; and an open
consultation that some municipalities have answered. Every date is counted from today, so the demo is always
current; everything is marked as demo data and says so. The data has the shape of ``fixtures/adoption.json``
and goes through the same loader, so every step is validated and audited like a user's.
"""

import datetime as dt

from governance.core import calendar


def _wd(today: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days before ``today``."""
    return calendar.working_days_before(today, n)


#: Where each municipality's case stands, by municipality code. The demo personas' municipalities have work
#: waiting: Danderyd prepares (its clerk proposes next), Ekerö is in decision (the executive board next).
PLAN = {
    "0114": "signed",
    "0115": "in_decision",
    "0117": "received",
    "0120": "proposed",
    "0123": "decided",
    "0125": "in_decision",
    "0126": "signed",
    "0127": "decided_final",
    "0128": "in_preparation",
    "0136": "proposed",
    "0138": "received",
    "0139": "in_preparation",
    "0140": "decided_ks",
    "0160": "signed",
    "0162": "in_preparation",
    "0163": "in_decision",
    "0180": "decided",
    "0181": "proposed",
    "0182": "signed",
    "0183": "in_preparation",
    "0184": "declined",
    "0186": "received",
    "0187": "signed_ks",
    "0188": "in_decision_ks",
    "0191": "proposed",
    "0192": "withdrawn",
}
#: Municipalities whose usual chain is the executive board alone (delegated), for the demo.
KS_ALONE = {"0140", "0187", "0188"}


def _decision(body: str, on: dt.date, paragraph: int, text: str, outcome="approve", posted=None) -> dict:
    event = {
        "do": "decision",
        "body": body,
        "on": on.isoformat(),
        "paragraph": f"§ {paragraph}",
        "outcome": outcome,
        "text": text,
    }
    if posted:
        event["posted_on"] = posted.isoformat()
    return event


#: Working days before today of each step, for most cases and for those that decided long ago.
TRACKS = {
    "recent": {
        "prep": 44,
        "propose": 34,
        "sn": 28,
        "sn_posted": 24,
        "ks": 20,
        "ks_posted": 16,
        "kf": 8,
        "kf_posted": 4,
        "sign": 2,
    },
    "early": {
        "prep": 62,
        "propose": 56,
        "sn": 50,
        "sn_posted": 47,
        "ks": 45,
        "ks_posted": 42,
        "kf": 38,
        "kf_posted": 34,
        "sign": 20,
    },
}


def _case_events(code: str, state: str, today: dt.date, period: str) -> list[dict]:
    """The recorded events that bring a case to ``state``, dated from ``today``."""
    track = TRACKS["early" if state == "decided_final" else "recent"]
    shift = int(code) % 4 if state != "decided_final" else 0  # not every municipality on the same day

    def on(step, extra=0):
        return _wd(
            today, track[step] - (0 if step.endswith(("posted", "sign")) or step == "kf" else shift) + extra
        )

    n = 40 + int(code[-2:])
    events = []
    if state == "received":
        return events
    events.append({"do": "start_preparation", "on": on("prep").isoformat()})
    if state == "in_preparation":
        return events
    if state == "withdrawn":
        comment = "Kommunen deltar redan genom ett eget avtal med huvudmannen (demo)."
        return [*events, {"do": "withdraw", "on": on("propose").isoformat(), "comment": comment}]
    events.append({"do": "propose", "on": on("propose").isoformat()})
    if state == "proposed":
        return events
    if state.endswith("_ks"):  # the executive board decides alone
        if state == "in_decision_ks":
            return [*events, _decision("Kommunstyrelsen", on("ks"), n, "Ärendet bordläggs.", "postpone")]
        text = f"Kommunstyrelsen beslutar att ingå avtalet om Origo för perioden {period}."
        events.append(_decision("Kommunstyrelsen", on("ks"), n, text, posted=on("ks_posted")))
        if state == "signed_ks":
            events.append({"do": "sign", "on": on("sign").isoformat(), "name": "Kommunstyrelsens ordförande"})
        return events
    text = "Socialnämnden tillstyrker att kommunen ingår avtalet och överlämnar ärendet till kommunstyrelsen."
    events.append(_decision("Socialnämnden", on("sn"), n, text, posted=on("sn_posted")))
    if state == "in_decision":
        return events
    text = "Kommunstyrelsen föreslår kommunfullmäktige att godkänna avtalet."
    events.append(_decision("Kommunstyrelsen", on("ks"), n + 100, text, posted=on("ks_posted")))
    if state == "declined":
        text = "Kommunfullmäktige avslår förslaget att ingå avtalet."
        events.append(
            _decision("Kommunfullmäktige", on("kf"), n + 50, text, "decline", posted=on("kf_posted"))
        )
        return events
    text = f"Kommunfullmäktige beslutar att ingå avtalet om Origo för perioden {period}."
    posted = None if code == "0180" else on("kf_posted")  # Stockholm: the minutes are not posted yet
    events.append(_decision("Kommunfullmäktige", on("kf"), n + 50, text, posted=posted))
    if state == "signed":
        events.append({"do": "sign", "on": on("sign").isoformat(), "name": "Kommunstyrelsens ordförande"})
    return events


QUESTIONS = [
    "Ser kommunen behov av att Origo också ger stöd till förskolor och skolor?",
    "Är den föreslagna fördelningen av kostnaden för det utvidgade uppdraget rimlig?",
    "Vilka kompetenser behöver Origo för att kunna stödja kommunens skolor?",
    "Är tidplanen, med start av det utvidgade uppdraget vid årsskiftet, realistisk?",
]

#: The municipalities that have answered the open consultation: code, position, who decided.
ANSWERS = [
    ("0114", "positive", None),
    ("0120", "positive_with_reservations", "Socialnämnden"),
    ("0126", "positive", "Socialnämnden"),
    ("0127", "positive", None),
    ("0136", "part_only", "Barn- och utbildningsnämnden"),
    ("0160", "positive", None),
    ("0182", "negative", "Socialnämnden"),
    ("0184", "positive_with_reservations", None),
]


def demo_round_spec(today: dt.date) -> dict:
    """The demo round as fixture data (the shape of ``fixtures/agreements.json`` and ``adoption.json``)."""
    first, last = today.year + 1, today.year + 5
    period = f"{first}–{last}"
    board = _wd(today, 70)
    sent = _wd(today, 12)
    consultation = {
        "slug": f"origo-remiss-{today.year}",
        "demo": True,
        "title": "Remiss: Origos stöd till förskolor och skolor (demo)",
        "sender": "Kommunförbundet Stockholms Län",
        "registration_number": f"KSL/{today:%y}/0188 (demo)",
        "sent_on": sent.isoformat(),
        "deadline": calendar.next_working_day(today + dt.timedelta(days=16)).isoformat(),
        "timetable_question": 4,
        "questions": QUESTIONS,
        "responses": [
            {
                "code": code,
                "position": position,
                "timetable_realistic": position != "negative",
                "adopted_by": body,
                "decision_date": _wd(today, 3 + i % 4).isoformat() if body else None,
                "decision_reference": f"§ {60 + i}" if body else "",
                "answered_on": _wd(today, 2 + i % 3).isoformat(),
                "summary": "Demo: kommunens svar i korthet.",
                "answers": {
                    "1": "Ja. Skolorna möter barn och unga som lever under hedersnormer och behöver stöd (demo).",
                    "2": "Fördelningen efter folkmängd är rimlig (demo).",
                    "4": "Tidplanen är realistisk." if position != "negative" else "Tidplanen är för snäv.",
                },
            }
            for i, (code, position, body) in enumerate(ANSWERS)
        ],
    }
    agreement = {
        "slug": f"origo-{first}",
        "demo": True,
        # Not linked as the renewal of origo-2016: the data set has no agreement for the years between.
        "title": f"Avtal om Origo resurscentrum mot hedersrelaterat förtryck och våld {period} (demo)",
        "short_title": "Origo",
        "period_start": f"{first}-01-01",
        "period_end": f"{last}-12-31",
        "host": "Stockholms stad",
        "financing": ["all_municipalities", "Region Stockholm", "Polismyndigheten"],
        "cooperating": ["Länsstyrelsen i Stockholms län", "Kommunförbundet Stockholms Län"],
        "cost_model": {
            "annual_budget": 7500000,
            "basis_rule": "fixed_date",
            "fixed_basis_date": "2019-12-31",  # the latest SCB figures in the data set
            "shares": [
                {"party": "Region Stockholm", "percent": "25"},
                {"party": "Polismyndigheten", "percent": "25"},
                {"pool": True, "percent": "50"},
            ],
            "splits": [
                {"organisation": "Ekerö kommun", "body": "Socialnämnden", "weight": 1},
                {"organisation": "Ekerö kommun", "body": "Barn- och utbildningsnämnden", "weight": 1},
            ],
        },
    }
    recommendation = {
        "slug": f"origo-{first}",
        "demo": True,
        "title": f"Rekommendation om fortsatt avtal om Origo {period} (demo)",
        "board_decision_date": board.isoformat(),
        "registration_number": f"KSL/{today:%y}/0142 (demo)",
        "agreement": agreement["slug"],
        "answer_deadline": _wd(today, 3).isoformat(),
        "consultation": None,
        "background": (
            "Avtalet om Origo resurscentrum har löpt ut och parterna har varit överens om att verksamheten ska "
            f"fortsätta. KSL:s styrelse rekommenderar länets kommuner att ingå avtal för perioden {period}. "
            "Detta är en påhittad förnyelse för demonstration."
        ),
        "decision_points": "\n".join(
            [
                f"att ingå avtal om Origo resurscentrum mot hedersrelaterat förtryck och våld för perioden {period},",
                "att kommunens andel av kostnaden finansieras inom socialnämndens budget, samt",
                "att uppdra åt kommunstyrelsen att underteckna avtalet.",
            ]
        ),
        "cases": [
            {
                "code": code,
                "demo": True,
                "steps": [["Kommunstyrelsen", "decides"]] if code in KS_ALONE else None,
                "events": _case_events(code, state, today, period),
            }
            for code, state in PLAN.items()
        ],
    }
    return {"agreement": agreement, "consultation": consultation, "recommendations": [recommendation]}


def demo_round_load(*, acting_user=None, today: dt.date | None = None) -> dict[str, int]:
    """Load the demo round dated from ``today`` (the system only). Idempotent: once this year's demo
    recommendation exists, nothing is loaded again; a demo loaded last year stays as it was."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from governance.agreements.services import agreement_load

    from .loading import adoption_history_load

    if acting_user is not None:
        raise PermissionDenied("Demodata läses bara in av systemet (manage.py load_origo).")
    spec = demo_round_spec(today or calendar.today())
    with transaction.atomic():
        _agreement, created = agreement_load(acting_user=None, data=spec["agreement"])
        counts = adoption_history_load(acting_user=None, data=spec)
    return {"agreements": int(created), **counts}
