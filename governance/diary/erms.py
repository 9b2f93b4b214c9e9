"""The metadata of an archive package after FGS Ärendehantering (CITS ERMS 3.0): one case file
(``aggregationType="caseFile"``) with its identifiers, title, status, dates, agents, its decisions as
actions, and its records from the diarium (running number, direction, dates, file and checksum).

Generic: the apps that own a case build an ``ErmsCase`` (decisions: an adoption case; meetings: a body's
minutes of a year) and this module writes and validates the XML. The schema is ``schemas/ERMS_v3.xsd``.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

from .choices import Direction

NS = "https://DILCIS.eu/XML/ERMS"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "ERMS_v3.xsd"
#: The extraId type that carries a record's file checksum.
CHECKSUM_ID_TYPE = "sha256"
SYSTEM_NAME = "Origo samverkan"

_DIRECTIONS = {
    Direction.INCOMING: ("incoming", ""),
    Direction.OUTGOING: ("outgoing", ""),
    Direction.DRAWN_UP: ("other", "upprättad"),
}


@dataclass(frozen=True)
class ErmsAgent:
    """A person or an organisation and what they did (ERMS agentType: creator, sender, recipient, …)."""

    name: str
    agent_type: str
    organisation: str = ""
    role: str = ""


@dataclass(frozen=True)
class ErmsAction:
    """A decision: its text, kind (e.g. "beslut"), date and who decided."""

    text: str
    on: dt.date
    action_type: str = "beslut"
    agents: tuple[ErmsAgent, ...] = ()


@dataclass(frozen=True)
class ErmsRecord:
    """A registered document: diary number, document number, title, direction, date, parties, and the file's
    path inside the package with its SHA-256 (empty when the entry has no file)."""

    system_id: str
    diary_number: str
    running_number: int
    title: str
    direction: str
    registered_on: dt.date
    agents: tuple[ErmsAgent, ...] = ()
    secrecy: str = ""
    path: str = ""
    file_name: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class ErmsCase:
    """A case file: the diary case and what the owning app knows about the matter."""

    system_id: str
    diary_number: str
    title: str
    status: str  # ERMS status: closed, open, in_progress, …
    opened_on: dt.date
    closed_on: dt.date | None
    agency: str
    own_reference: str = ""
    agents: tuple[ErmsAgent, ...] = ()
    actions: tuple[ErmsAction, ...] = ()
    records: tuple[ErmsRecord, ...] = field(default_factory=tuple)
    description: str = ""


def _el(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", {k: v for k, v in attributes.items() if v})
    if text is not None:
        element.text = text
    return element


def _datetime(day: dt.date | dt.datetime) -> str:
    if isinstance(day, dt.datetime):
        return day.replace(microsecond=0).isoformat()
    return f"{day.isoformat()}T00:00:00"


def _agents(parent, agents) -> None:
    if not agents:
        return
    wrapper = _el(parent, "agents")
    for agent in agents:
        element = _el(wrapper, "agent", agentType=agent.agent_type)
        _el(element, "name", agent.name)
        if agent.organisation:
            _el(element, "organisation", agent.organisation)
        if agent.role:
            _el(element, "role", agent.role)


def _dates(parent, dates) -> None:
    wrapper = _el(parent, "dates")
    for date_type, day in dates:
        _el(wrapper, "date", _datetime(day), dateType=date_type)


def _record(parent, record: ErmsRecord) -> None:
    element = _el(
        parent,
        "record",
        systemIdentifier=record.system_id,
        recordType="diary_entry",
        recordPhysicalOrDigital="digital" if record.path else "does_not_apply",
    )
    _el(element, "objectId", record.system_id)
    _el(element, "extraId", record.diary_number, extraIdType="diary_number")
    if record.sha256:
        _el(element, "extraId", record.sha256, extraIdType=CHECKSUM_ID_TYPE)
    _el(element, "title", record.title)
    _el(element, "runningNumber", str(record.running_number))
    if record.secrecy:
        restriction = _el(element, "restriction", restrictionType="confidential")
        _el(restriction, "regulation", record.secrecy)
    definition, other = _DIRECTIONS[record.direction]
    _el(element, "direction", otherDirectionDefinition=other, directionDefinition=definition)
    _agents(element, record.agents)
    date_type = {"incoming": "received", "outgoing": "sent"}.get(definition, "created")
    _dates(element, [(date_type, record.registered_on)])
    if record.path:
        info = _el(element, "additionalInformation")
        _el(
            info,
            "appendix",
            name=record.file_name or record.path.rsplit("/", 1)[-1],
            path=record.path,
            fileFormat=record.path.rsplit(".", 1)[-1].lower(),
            description=f"SHA-256 {record.sha256}",
        )


def case_file_xml(case: ErmsCase, *, created_at: dt.datetime) -> bytes:
    """The ERMS document of one case file, UTF-8 with an XML declaration."""
    root = etree.Element(f"{{{NS}}}erms", nsmap={None: NS})
    control = _el(root, "control")
    _el(control, "identification", case.diary_number, identificationType="diary_number")
    maintenance = _el(control, "maintenanceInformation")
    _el(maintenance, "maintenanceStatus", value="created")
    agency = _el(maintenance, "maintenanceAgency")
    _el(agency, "agencyName", case.agency)
    history = _el(maintenance, "maintenanceHistory")
    event = _el(history, "maintenanceEvent")
    _el(event, "eventType", value="created")
    _el(event, "eventDateTime", _datetime(created_at))
    creator = _el(event, "agent", agentType="creator")
    _el(creator, "name", SYSTEM_NAME)

    aggregations = _el(root, "aggregations")
    aggregation = _el(
        aggregations, "aggregation", systemIdentifier=case.system_id, aggregationType="caseFile"
    )
    _el(aggregation, "objectId", case.system_id)
    _el(aggregation, "extraId", case.diary_number, extraIdType="diary_number")
    if case.own_reference:
        _el(aggregation, "extraId", case.own_reference, extraIdType="own_registration_number")
    _el(aggregation, "title", case.title)
    _el(aggregation, "status", value=case.status)
    _agents(aggregation, case.agents)
    if case.description:
        _el(aggregation, "description", case.description)
    dates = [("opened", case.opened_on)]
    if case.closed_on:
        dates.append(("closed", case.closed_on))
    _dates(aggregation, dates)
    for action in case.actions:
        element = _el(aggregation, "action")
        _el(element, "actionText", action.text)
        _el(element, "actionType", action.action_type)
        action_dates = _el(element, "dates")
        _el(action_dates, "actionDate", _datetime(action.on), dateType="decision")
        if action.agents:
            agents = _el(element, "agents")
            for agent in action.agents:
                item = _el(agents, "agent", agentType=agent.agent_type)
                _el(item, "name", agent.name)
                if agent.organisation:
                    _el(item, "organisation", agent.organisation)
    for record in case.records:
        _record(aggregation, record)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def validation_errors(content: bytes) -> list[str]:
    """What makes ``content`` invalid against ERMS_v3.xsd (empty when it validates)."""
    try:
        document = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [f"XML: {exc}"]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"rad {error.line}: {error.message}" for error in schema.error_log]


def record_checksums(content: bytes) -> dict[str, str]:
    """The files the ERMS document lists (path inside the package) with their SHA-256."""
    document = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    listed = {}
    for record in document.iter(f"{{{NS}}}record"):
        checksum = record.find(f"{{{NS}}}extraId[@extraIdType='{CHECKSUM_ID_TYPE}']")
        appendix = record.find(f"{{{NS}}}additionalInformation/{{{NS}}}appendix")
        if appendix is not None:
            listed[appendix.get("path")] = checksum.text if checksum is not None else ""
    return listed
