"""The context of the agreement document (avtal, template ``templates/docs/avtal.docx``).

The text has the structure of a Swedish cooperation agreement: parties, background and purpose, host and
organisation (styrgrupp and referensforum as in the centre's design, seed 003), financing with the cost
appendix and any split of a party's amount among its bodies, follow-up, period and renewal, termination,
amendments, disputes, and a signature block for each party. Facts come from the agreement's own data
(parties, period, host, cost model, previous agreement, KSL's recommendation); the general clauses are
written as the agreement's terms.

Parties are named as they were named on the agreement's date (``agreement_date``): an agreement of 2012
names Stockholms läns landsting and Polismyndigheten i Stockholms län, not today's Region Stockholm and
Polismyndigheten (``parties.queries.name_on``).
"""

import datetime as dt

from governance.agreements.choices import BasisRule, PartyRole, ShareKind
from governance.core.formatting import (
    amount_in_words,
    format_amount,
    format_date_iso,
    format_date_long,
    format_number,
    format_percent,
    genitive,
)
from governance.parties.choices import OrganisationKind
from governance.parties.models import Organisation
from governance.parties.queries import name_on

KSL_NAME = "Kommunförbundet Stockholms Län"


def agreement_date(agreement, recommendations=None) -> dt.date:
    """The day the agreement is entered into: the date of KSL's (earliest) recommendation to join it, else
    the first day of its period. Party names are those of this day."""
    if recommendations is None:
        recommendations = list(agreement.recommendations.all())
    dates = [recommendation.dated for recommendation in recommendations]
    return min(dates) if dates else agreement.period_start


def _subject(title: str) -> str:
    """What the agreement is about, from its title: "Avtal om Origo …" → "Origo …"."""
    for lead in ("Avtal om ", "Avtal för ", "Avtal avseende "):
        if title.startswith(lead):
            return title[len(lead) :]
    return title[0].lower() + title[1:] if title else title


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} och {names[-1]}"


def _period(start: dt.date, end: dt.date) -> str:
    return f"från och med {format_date_long(start)} till och med {format_date_long(end)}"


def _organisations(agreement, allocation) -> dict[int, Organisation]:
    """The parties and every organisation in the cost table, with their former names (two queries)."""
    ids = set(agreement.memberships.values_list("organisation_id", flat=True))
    ids |= {line.organisation_id for line in allocation.lines}
    return {org.pk: org for org in Organisation.objects.filter(pk__in=ids).prefetch_related("historic_names")}


def _party_order(allocation, organisations: dict[int, Organisation]):
    """Parties in the cost table's order (fixed shares, then municipalities by code), then the others."""
    position = {line.organisation_id: index for index, line in enumerate(allocation.lines)}

    def key(membership) -> tuple:
        organisation = organisations[membership.organisation_id]
        return (position.get(organisation.pk, len(position)), organisation.name)

    return key


def _governance(host: str, parties: dict[str, str], municipalities: int) -> dict:
    """Styrgrupp and referensforum as the centre's design describes them (seed 003), naming only parties."""
    ksl, police, region, county = (
        parties.get(kind)
        for kind in (
            OrganisationKind.ASSOCIATION,
            OrganisationKind.POLICE,
            OrganisationKind.REGION,
            OrganisationKind.COUNTY_BOARD,
        )
    )
    steering = [
        "sex representanter från kommunerna, som utses av "
        f"{ksl or KSL_NAME}; kommunplatserna kan rotera mellan kommunerna",
        f"en representant från {host}",
        *[f"en representant från {name}" for name in (ksl, police, region) if name],
    ]
    forum = [
        f"en representant från vardera av de {municipalities} kommunerna"
        if municipalities > 1
        else "en representant från kommunen",
        f"en verksamhetsrepresentant från {host}",
        *([f"en representant från {ksl}"] if ksl else []),
        *[f"en eller flera representanter från {name}" for name in (region, police, county) if name],
    ]
    return {
        "steering_group": steering,
        "steering_group_sentence": (
            f"{host} är ordförande i styrgruppen och kallar till dess möten. Styrgruppen sammanträder "
            "fyra gånger per år."
        ),
        "reference_forum": forum,
        "reference_forum_sentence": (
            f"{host} är ordförande i referensforum och kallar till dess möten. Referensforum sammanträder "
            "en gång per år."
        ),
    }


def _signature_rows(names: list[str]) -> list[dict]:
    """Two signature blocks side by side; the last row's right block is empty for an odd count."""
    blocks = [{"name": name} for name in names]
    return [
        {"left": blocks[i], "right": blocks[i + 1] if i + 1 < len(blocks) else None}
        for i in range(0, len(blocks), 2)
    ]


def agreement_context(agreement, allocation) -> dict:
    """The template context of the agreement for ``allocation`` (one year's cost table, bilaga 1)."""
    recommendations = sorted(agreement.recommendations.all(), key=lambda r: r.board_decision_date)
    date = agreement_date(agreement, recommendations)
    organisations = _organisations(agreement, allocation)

    def name(organisation_id: int) -> str:
        return name_on(organisations[organisation_id], date)

    memberships = sorted(
        agreement.memberships.all(),
        key=_party_order(allocation, organisations),
    )
    host = name(agreement.host_id)
    financing = [m for m in memberships if m.role == PartyRole.FINANCING]
    cooperating = [m for m in memberships if m.role == PartyRole.COOPERATING]
    host_only = [m for m in memberships if m.role == PartyRole.HOST]
    ordered = financing + host_only + cooperating
    by_kind = {}
    for m in memberships:
        by_kind.setdefault(organisations[m.organisation_id].kind, name(m.organisation_id))
    municipalities = sum(
        1 for m in memberships if organisations[m.organisation_id].kind == OrganisationKind.MUNICIPALITY
    )

    cost_model = agreement.cost_model
    shares = []
    share_lines = []
    for share in cost_model.shares.all():
        if share.kind == ShareKind.FIXED:
            who = name(share.organisation_id)
            shares.append(f"{who}: {format_percent(share.percent)}")
            share_lines.append(f"{who}: {format_percent(share.percent)} av kostnaden")
        else:
            shares.append(
                f"Kommunerna tillsammans, fördelat efter folkmängd: {format_percent(share.percent)}"
            )
            rule = (
                "den 31 december året före kostnadsåret"
                if cost_model.basis_rule == BasisRule.PREVIOUS_YEAR_END
                else f"{format_date_long(cost_model.fixed_basis_date)}"
            )
            share_lines.append(
                f"kommunerna tillsammans: {format_percent(share.percent)} av kostnaden, fördelat efter antalet "
                f"invånare i varje kommun {rule} enligt Statistiska centralbyrån (SCB)"
            )

    splits = []
    for line in allocation.lines:
        if not line.splits:
            continue
        equal = len({split.amount for split in line.splits}) == 1
        parts = _join([f"{split.body_name} ({format_amount(split.amount)})" for split in line.splits])
        splits.append(
            f"{genitive(name(line.organisation_id))} belopp ({format_amount(line.amount)} per år) fördelas "
            f"{'lika ' if equal else ''}mellan {parts}."
        )

    subject = _subject(agreement.title)
    background = []
    if recommendations:
        background.append(
            f"Styrelsen för {by_kind.get(OrganisationKind.ASSOCIATION, KSL_NAME)} beslutade "
            f"{format_date_long(recommendations[0].board_decision_date)} att rekommendera länets kommuner att "
            "ingå avtalet."
        )
    previous = agreement.previous
    if previous is not None:
        background.append(
            f"Avtalet förlänger parternas samverkan enligt avtalet ”{previous.title}”, som gällde "
            f"{_period(previous.period_start, previous.period_end)}."
        )
    background.append(
        f"Parterna har kommit överens om att gemensamt finansiera och styra verksamheten, med {host} som "
        "huvudman. Varje part ansvarar även i fortsättningen utifrån sitt eget mandat och uppdrag."
    )
    purpose = [
        "Syftet med avtalet är att reglera parternas åtaganden och ansvar för verksamheten: hur den "
        "styrs, hur kostnaderna fördelas mellan parterna, parternas insyn och inflytande, hur verksamheten "
        "följs upp och hur avtalet ändras, förlängs och sägs upp."
    ]

    term = [f"Avtalet gäller {_period(agreement.period_start, agreement.period_end)}."]
    term.append(
        "Parterna ska senast sex månader före avtalstidens slut ta ställning till om samverkan ska fortsätta. "
        "Avtalet förlängs endast genom ett skriftligt avtal om förlängning som varje part har beslutat om."
    )

    lines = [
        {
            "name": name(line.organisation_id) if not line.is_municipality else line.name,
            "percent": format_percent(line.percent) if line.percent is not None else "",
            "population": format_number(line.population) if line.population is not None else "",
            "amount": format_amount(line.amount),
        }
        for line in allocation.lines
    ]
    party_names = [name(m.organisation_id) for m in ordered]
    return {
        # The header of the earlier template, kept so that uploaded templates built on it still render.
        "organisation": host,
        "department": "",
        "date_iso": format_date_iso(date),
        "registration_label": "",
        "handler_line": "",
        "title": agreement.title,
        "period_short": f"{format_date_iso(agreement.period_start)} – {format_date_iso(agreement.period_end)}",
        "intro": (
            "Detta avtal har ingåtts mellan de parter som anges i avsnitt 1. Avtalet gäller "
            f"{subject} (nedan verksamheten)."
        ),
        # 1. Parter
        "parties": party_names,
        "financing_parties": [
            name(m.organisation_id) + (" (huvudman)" if m.organisation_id == agreement.host_id else "")
            for m in financing
        ],
        "host_parties": [f"{name(m.organisation_id)} (huvudman)" for m in host_only],
        "cooperating_parties": [name(m.organisation_id) for m in cooperating],
        # 2. Bakgrund och syfte
        "background": background,
        "purpose": purpose,
        # 3. Huvudman och organisation
        "host_sentence": f"{host} är huvudman för verksamheten.",
        "host_paragraphs": [
            f"{host} är huvudman för verksamheten och är formellt ansvarig för den.",
            "Verksamheten styrs av en styrgrupp. I referensforum kan alla bidragande parter träffas samtidigt.",
        ],
        **_governance(host, by_kind, municipalities),
        "contact_sentence": (
            "Varje part utser en kontaktperson i sin organisation. Kontaktpersonen är länken mellan "
            "verksamheten och den egna organisationen, har organisationens mandat att företräda den i frågor "
            "som rör verksamheten och håller verksamhetens kontaktbank uppdaterad med organisationens "
            "kontaktuppgifter."
        ),
        # 4. Finansiering
        "budget_sentence": (
            f"Verksamhetens budget är {format_amount(allocation.budget)} "
            f"({amount_in_words(allocation.budget)}) per år. Kostnaden fördelas enligt följande."
        ),
        "shares": shares,
        "share_lines": share_lines,
        "financing_sentence": (
            f"Varje parts belopp för {allocation.year} framgår av bilaga 1, Kostnadsfördelning. Beloppen anges "
            "i hela kronor och summerar till budgeten."
        ),
        "splits": splits,
        # 5. Uppföljning
        "follow_up_intro": (
            "Verksamheten följs upp kontinuerligt i förhållande till de mål parterna har satt upp. "
            "Uppföljningen redovisas för styrgruppen och omfattar bland annat:"
        ),
        "follow_up_items": [
            "antal personer som har varit i kontakt med verksamheten, fördelat på kön, ålder och hemkommun",
            "orsaker till att de har kontaktat verksamheten",
            "antal yrkesverksamma som har varit i kontakt med verksamheten, fördelat på den kommun där de arbetar",
            "antal utåtriktade aktiviteter, fördelat på möten, seminarier och utbildningar",
        ],
        "follow_up_after": [
            "Uppgifterna är mycket känsliga. Uppföljningen redovisas endast i sammanställd form, så att ingen "
            "enskild kan identifieras.",
            "Verksamheten utvärderas av en extern part enligt en plan för när och hur utvärderingen ska ske.",
        ],
        # 6. Avtalstid och förlängning
        "period_sentence": term[0],
        "term": term,
        # 7. Uppsägning
        "termination": [
            "En part får säga upp avtalet skriftligen med sex månaders uppsägningstid. Uppsägningen lämnas "
            "till huvudmannen, som underrättar övriga parter.",
            "Den part som har sagt upp avtalet betalar sin del av kostnaderna till och med uppsägningstidens "
            "slut. Övriga parter tar därefter ställning till hur verksamheten och dess kostnader ska fördelas.",
        ],
        # 8. Ändringar och tillägg
        "amendments": [
            "Ändringar i och tillägg till avtalet ska vara skriftliga och godkända av samtliga parter.",
        ],
        # 9. Tvister
        "disputes": [
            "Tvister om tolkningen eller tillämpningen av avtalet ska i första hand lösas genom förhandling "
            "mellan parterna. Om parterna inte kommer överens ska tvisten avgöras av allmän domstol.",
        ],
        # 10. Underskrifter
        "signature_sentence": (
            "Avtalet har upprättats i likalydande exemplar, ett för varje part. Varje part undertecknar "
            "avtalet nedan."
        ),
        "signature_rows": _signature_rows(party_names),
        # Bilaga 1
        "year": allocation.year,
        "appendix_sentence": (
            f"Kommunernas andel fördelas efter folkmängden {format_date_long(allocation.basis_date)} (SCB). "
            "Beloppen är hela kronor och summerar exakt till budgeten."
        ),
        "lines": lines,
        "total_population": format_number(allocation.pool_population),
        "total": format_amount(allocation.total),
    }


def sample_agreement_context() -> dict:
    """Sample data for validating an uploaded agreement template when no agreement is loaded."""
    return {
        "organisation": "Exempel stad",
        "department": "",
        "date_iso": "2025-01-01",
        "registration_label": "",
        "handler_line": "",
        "title": "Avtal om exempelverksamhet",
        "period_short": "2025-01-01 – 2027-12-31",
        "intro": (
            "Detta avtal har ingåtts mellan de parter som anges i avsnitt 1. Avtalet gäller "
            "exempelverksamhet (nedan verksamheten)."
        ),
        "parties": ["Exempel stad", "Exempel kommun"],
        "financing_parties": ["Exempel stad (huvudman)", "Exempel kommun"],
        "host_parties": [],
        "cooperating_parties": [],
        "background": ["Bakgrund."],
        "purpose": ["Syfte."],
        "host_sentence": "Exempel stad är huvudman för verksamheten.",
        "host_paragraphs": ["Exempel stad är huvudman för verksamheten."],
        "steering_group": ["en representant från Exempel stad"],
        "steering_group_sentence": "Styrgruppen sammanträder fyra gånger per år.",
        "reference_forum": ["en representant från vardera kommunen"],
        "reference_forum_sentence": "Referensforum sammanträder en gång per år.",
        "contact_sentence": "Varje part utser en kontaktperson.",
        "budget_sentence": "Verksamhetens budget är 1 000 kr per år.",
        "shares": ["Kommunerna tillsammans, fördelat efter folkmängd: 100 %"],
        "share_lines": ["kommunerna tillsammans: 100 % av kostnaden"],
        "financing_sentence": "Varje parts belopp framgår av bilaga 1.",
        "splits": [],
        "follow_up_intro": "Verksamheten följs upp.",
        "follow_up_items": ["antal kontakter"],
        "follow_up_after": [],
        "period_sentence": "Avtalet gäller 2025–2027.",
        "term": ["Avtalet gäller 2025–2027."],
        "termination": ["Sex månaders uppsägningstid."],
        "amendments": ["Ändringar ska vara skriftliga."],
        "disputes": ["Tvister avgörs av allmän domstol."],
        "signature_sentence": "Avtalet har upprättats i likalydande exemplar.",
        "signature_rows": [{"left": {"name": "Exempel stad"}, "right": {"name": "Exempel kommun"}}],
        "year": 2025,
        "appendix_sentence": "Kommunernas andel fördelas efter folkmängd.",
        "lines": [{"name": "Exempel", "percent": "", "population": "1 000", "amount": "1 000 kr"}],
        "total_population": "1 000",
        "total": "1 000 kr",
    }
