"""Writes for parties: the registry, the contact bank and population figures."""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from governance.core import calendar
from governance.core.services import audit_record, grants_sync_all

from . import permissions
from .choices import OrganisationKind, PartyAction, Role
from .models import (
    ContactAssignment,
    Organisation,
    OrganisationName,
    OrganisationUserObjectPermission,
    Person,
    PopulationFigure,
    RoleAssignment,
)

POPULATION_COLUMNS = ("municipality_code", "municipality", "reference_date", "population")


class PopulationImportError(ValidationError):
    """A population file with one or more bad rows; nothing was imported."""


@dataclass
class PopulationImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dates: set[dt.date] = field(default_factory=set)


def _parse_population_csv(text: str) -> tuple[list[tuple[int, str, dt.date, int]], list[str]]:
    rows: list[tuple[int, str, dt.date, int]] = []
    errors: list[str] = []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], [_("Filen är tom.")]
    if tuple(column.strip().lstrip("\ufeff") for column in header) != POPULATION_COLUMNS:
        return [], [
            _("Rad 1: rubrikraden ska vara %(expected)s.") % {"expected": ",".join(POPULATION_COLUMNS)}
        ]
    seen: dict[tuple[str, dt.date], int] = {}
    for line_number, raw in enumerate(reader, start=2):
        if not raw or all(not cell.strip() for cell in raw):
            continue
        if len(raw) != len(POPULATION_COLUMNS):
            errors.append(
                _("Rad %(line)d: %(found)d kolumner, %(expected)d väntades.")
                % {"line": line_number, "found": len(raw), "expected": len(POPULATION_COLUMNS)}
            )
            continue
        code, _name, date_text, population_text = (cell.strip() for cell in raw)
        line_errors = []
        if not (len(code) == 4 and code.isdigit()):
            line_errors.append(_("kommunkoden ”%(code)s” är inte fyra siffror") % {"code": code})
        try:
            reference_date = dt.date.fromisoformat(date_text)
        except ValueError:
            reference_date = None
            line_errors.append(_("datumet ”%(date)s” är inte på formen ÅÅÅÅ-MM-DD") % {"date": date_text})
        try:
            population = int(population_text)
            if population <= 0:
                raise ValueError
        except ValueError:
            population = None
            line_errors.append(
                _("folkmängden ”%(value)s” är inte ett positivt heltal") % {"value": population_text}
            )
        if not line_errors and (code, reference_date) in seen:
            line_errors.append(
                _("%(code)s %(date)s finns redan på rad %(other)d")
                % {"code": code, "date": reference_date, "other": seen[(code, reference_date)]}
            )
        if line_errors:
            errors.append(
                _("Rad %(line)d: %(errors)s.") % {"line": line_number, "errors": "; ".join(line_errors)}
            )
            continue
        seen[(code, reference_date)] = line_number
        rows.append((line_number, code, reference_date, population))
    return rows, errors


def population_import(*, acting_user, text: str, source: str = "SCB") -> PopulationImportResult:
    """Import population figures from CSV text (``municipality_code,municipality,reference_date,population``).

    Every row is checked first; if any is malformed or names an unknown municipality the whole file is
    refused with the line numbers, and nothing is written. Existing figures for the same date are updated.
    """
    permissions.check_manage_registry(acting_user)
    rows, errors = _parse_population_csv(text)
    municipalities = {
        org.municipality_code: org for org in Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
    }
    for line_number, code, _date, _population in rows:
        if code not in municipalities:
            errors.append(_("Rad %(line)d: okänd kommunkod %(code)s.") % {"line": line_number, "code": code})
    if errors:
        raise PopulationImportError(errors)
    if not rows:
        raise PopulationImportError([_("Filen innehåller inga rader med folkmängd.")])

    result = PopulationImportResult()
    with transaction.atomic():
        existing = {
            (figure.organisation_id, figure.reference_date): figure
            for figure in PopulationFigure.objects.select_for_update().filter(
                reference_date__in={row[2] for row in rows}
            )
        }
        to_create, to_update = [], []
        for _line, code, reference_date, population in rows:
            organisation = municipalities[code]
            result.dates.add(reference_date)
            figure = existing.get((organisation.pk, reference_date))
            if figure is None:
                to_create.append(
                    PopulationFigure(
                        organisation=organisation,
                        reference_date=reference_date,
                        population=population,
                        source=source,
                    )
                )
            elif figure.population != population or figure.source != source:
                figure.population, figure.source = population, source
                to_update.append(figure)
            else:
                result.unchanged += 1
        PopulationFigure.objects.bulk_create(to_create)
        PopulationFigure.objects.bulk_update(to_update, ["population", "source"])
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            audit_record(
                acting_user=acting_user,
                action=PartyAction.POPULATION_IMPORTED,
                object_label=_("Folkmängd %(dates)s")
                % {"dates": ", ".join(str(d) for d in sorted(result.dates))},
                payload={
                    "created": result.created,
                    "updated": result.updated,
                    "source": source,
                    "dates": sorted(result.dates),
                },
            )
    return result


def contact_assign(
    *,
    acting_user,
    organisation: Organisation,
    person: Person,
    role: str,
    email: str,
    phone: str = "",
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> ContactAssignment:
    """Add an entry to the contact bank. A new contact person for a party ends the current one the day before."""
    permissions.check_manage_contacts(acting_user, organisation)
    if person.organisation_id != organisation.pk:
        raise ValidationError(
            _("%(person)s arbetar inte för %(org)s.") % {"person": person, "org": organisation}
        )
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("”Giltig till” kan inte vara före ”giltig från”."))
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        current = list(
            ContactAssignment.objects.select_for_update()
            .filter(organisation=organisation, role=role)
            .current(valid_from)
        )
        for previous in current:
            if previous.person_id == person.pk:
                raise ValidationError(
                    _("%(person)s är redan registrerad i den rollen från %(date)s.")
                    % {"person": person, "date": previous.valid_from}
                )
            if previous.valid_from >= valid_from:
                raise ValidationError(
                    _("Det finns redan en kontaktuppgift i samma roll från %(date)s.")
                    % {"date": previous.valid_from}
                )
            previous.valid_to = valid_from - dt.timedelta(days=1)
            previous.save(update_fields=["valid_to"])
        assignment = ContactAssignment(
            organisation=organisation,
            person=person,
            role=role,
            email=email,
            phone=phone,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        assignment.full_clean()
        assignment.save()
        audit_record(
            acting_user=acting_user,
            action=PartyAction.CONTACT_ASSIGNED,
            obj=assignment,
            payload={
                "role": role,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "ended": [c.pk for c in current],
            },
        )
    return assignment


PERSON_FIELDS = ("first_name", "last_name", "title", "organisation", "email", "phone", "user")


def person_create(
    *,
    acting_user,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    title: str = "",
    email: str = "",
    phone: str = "",
    user=None,
) -> Person:
    """Add a person record of ``organisation`` (optionally linked to a login)."""
    permissions.check_manage_contacts(acting_user, organisation)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        person = Person(
            organisation=organisation,
            first_name=first_name,
            last_name=last_name,
            title=title,
            email=email,
            phone=phone,
            user=user,
        )
        person.full_clean()
        person.save()
        audit_record(
            acting_user=acting_user,
            action=PartyAction.PERSON_CREATED,
            obj=person,
            payload={"organisation": organisation.pk, "user": getattr(user, "pk", None)},
        )
    return person


def person_update(*, acting_user, person: Person, **changes) -> Person:
    """Change a person record's name, title, organisation, contact details or login."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(_("Okända uppgifter: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("organisation").get(pk=person.pk)
        permissions.check_manage_contacts(acting_user, person.organisation)
        if "organisation" in changes:
            permissions.check_manage_contacts(acting_user, changes["organisation"])
        before = {}
        for name, value in changes.items():
            current = getattr(person, name)
            if current != value:
                before[name] = getattr(current, "pk", current)
                setattr(person, name, value)
        if not before:
            return person
        person.full_clean()
        person.save()
        audit_record(
            acting_user=acting_user,
            action=PartyAction.PERSON_UPDATED,
            obj=person,
            payload={
                "before": before,
                "after": {
                    name: getattr(getattr(person, name), "pk", getattr(person, name)) for name in before
                },
            },
        )
    return person


def contact_end(*, acting_user, assignment: ContactAssignment, valid_to: dt.date) -> ContactAssignment:
    """End a contact-bank entry; the entry is kept as history."""
    permissions.check_manage_contacts(acting_user, assignment.organisation)
    with transaction.atomic():
        assignment = ContactAssignment.objects.select_for_update().get(pk=assignment.pk)
        if valid_to < assignment.valid_from:
            raise ValidationError(_("Slutdatum kan inte vara före startdatum."))
        assignment.valid_to = valid_to
        assignment.save(update_fields=["valid_to"])
        audit_record(
            acting_user=acting_user,
            action=PartyAction.CONTACT_ENDED,
            obj=assignment,
            payload={"valid_to": valid_to},
        )
    return assignment


def registry_load(*, acting_user, organisations: list[dict]) -> dict[str, int]:
    """Create or update organisations, their bodies and their former names from fixture data, matched by
    name (a former name by its last day, ``{"name": …, "valid_until": "YYYY-MM-DD"}`` under ``names``).

    Idempotent: loading the same data twice changes nothing and writes no audit row the second time.
    """
    permissions.check_manage_registry(acting_user)
    counts = {
        "organisations_created": 0,
        "organisations_updated": 0,
        "bodies_created": 0,
        "names_recorded": 0,
    }
    with transaction.atomic():
        for data in organisations:
            fields = {
                "short_name": data.get("short_name", ""),
                "kind": data["kind"],
                "municipality_code": data.get("municipality_code"),
                "is_host": data.get("is_host", False),
                "registration_number_pattern": data.get("registration_number_pattern", ""),
                "former_names": data.get("former_names", ""),
            }
            organisation = Organisation.objects.select_for_update().filter(name=data["name"]).first()
            if organisation is None:
                organisation = Organisation(name=data["name"], **fields)
                organisation.full_clean()
                organisation.save()
                counts["organisations_created"] += 1
                audit_record(
                    acting_user=acting_user, action=PartyAction.ORGANISATION_CREATED, obj=organisation
                )
            else:
                changed = {k: v for k, v in fields.items() if getattr(organisation, k) != v}
                if changed:
                    for key, value in changed.items():
                        setattr(organisation, key, value)
                    organisation.full_clean()
                    organisation.save()
                    counts["organisations_updated"] += 1
                    audit_record(
                        acting_user=acting_user,
                        action=PartyAction.ORGANISATION_UPDATED,
                        obj=organisation,
                        payload=changed,
                    )
            bodies = {body.name: body for body in organisation.bodies.select_for_update()}
            for name, kind, *_rest in data.get("bodies", []):
                if name not in bodies:
                    bodies[name] = organisation.bodies.create(name=name, kind=kind)
                    counts["bodies_created"] += 1
                    audit_record(acting_user=acting_user, action=PartyAction.BODY_CREATED, obj=bodies[name])
            # [name, kind, administration]: the förvaltning that prepares the body's cases.
            for name, _kind, *rest in data.get("bodies", []):
                administration = bodies[rest[0]] if rest else None
                body = bodies[name]
                if rest and body.administration_id != administration.pk:
                    body.administration = administration
                    body.save(update_fields=["administration"])
                    audit_record(
                        acting_user=acting_user,
                        action=PartyAction.BODY_UPDATED,
                        obj=body,
                        payload={"administration": administration.name},
                    )
            recorded = {n.valid_until: n for n in organisation.historic_names.select_for_update()}
            for entry in data.get("names", []):
                valid_until = dt.date.fromisoformat(entry["valid_until"])
                known = recorded.get(valid_until)
                if known is not None:
                    if known.name != entry["name"]:
                        raise ValidationError(
                            _("%(org)s: ett annat namn (%(name)s) är redan registrerat t.o.m. %(date)s.")
                            % {"org": organisation.name, "name": known.name, "date": valid_until}
                        )
                    continue
                former = OrganisationName(
                    organisation=organisation, name=entry["name"], valid_until=valid_until
                )
                former.full_clean()
                former.save()
                counts["names_recorded"] += 1
                audit_record(
                    acting_user=acting_user,
                    action=PartyAction.ORGANISATION_NAME_RECORDED,
                    obj=former,
                    payload={"organisation": organisation.name, "valid_until": valid_until},
                )
    return counts


def persona_load(*, acting_user, persona: dict, password: str):
    """Create or update one demo user with its person record (and contact-bank entry when it has one).

    Returns the user. Idempotent; an existing user's password is left as it is.
    """
    from django.contrib.auth import get_user_model

    permissions.check_manage_registry(acting_user)
    user_model = get_user_model()
    organisation = (
        Organisation.objects.get(name=persona["organisation"]) if persona.get("organisation") else None
    )
    with transaction.atomic():
        user, created = user_model.objects.get_or_create(
            username=persona["username"],
            defaults={
                "first_name": persona["first_name"],
                "last_name": persona["last_name"],
                "email": persona["email"],
            },
        )
        if created:
            user.set_password(password)
            user.save()
            audit_record(
                acting_user=acting_user, action=PartyAction.USER_CREATED, obj=user, object_label=user.username
            )
        for role in persona.get("roles", []):
            scoped = role in (Role.MUNICIPAL_CLERK, Role.CONTACT_PERSON)
            if not RoleAssignment.objects.filter(user=user, role=role).exists():
                role_assign(
                    acting_user=acting_user,
                    user=user,
                    role=role,
                    organisation=organisation if scoped else None,
                    valid_from=dt.date(2012, 1, 1),
                )
        if organisation is None:
            return user
        person = Person.objects.filter(user=user).first()
        if person is None:
            person = person_create(
                acting_user=acting_user,
                organisation=organisation,
                first_name=persona["first_name"],
                last_name=persona["last_name"],
                title=persona.get("title", ""),
                email=persona["email"],
                phone=persona.get("phone", ""),
                user=user,
            )
        if persona.get("contact_person") and not ContactAssignment.objects.filter(person=person).exists():
            contact_assign(
                acting_user=acting_user,
                organisation=organisation,
                person=person,
                role="contact_person",
                email=person.email,
                phone=person.phone,
                valid_from=dt.date(2012, 9, 1),
            )
    return user


def role_assign(
    *,
    acting_user,
    user,
    role: str,
    organisation: Organisation | None = None,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> RoleAssignment:
    """Give ``user`` a role from ``valid_from`` (to ``valid_to``); grants apply at once if it is active today."""
    permissions.check_manage_roles(acting_user)
    if role not in Role.values:
        raise ValidationError(_("Okänd roll ”%(role)s”.") % {"role": role})
    scoped = role in (Role.MUNICIPAL_CLERK, Role.CONTACT_PERSON)
    if scoped and organisation is None:
        raise ValidationError(
            _("Rollen %(role)s gäller en organisation: ange vilken.") % {"role": Role(role).label}
        )
    if not scoped and organisation is not None:
        raise ValidationError(
            _("Rollen %(role)s gäller inte en enskild organisation.") % {"role": Role(role).label}
        )
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("”Till” kan inte vara före ”från”."))
    with transaction.atomic():
        type(user).objects.select_for_update().get(pk=user.pk)
        overlapping = (
            RoleAssignment.objects.filter(user=user, role=role, organisation=organisation)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
            .filter(valid_from__lte=valid_to or dt.date.max)
        )
        if overlapping.exists():
            raise ValidationError(
                _("%(user)s har redan den rollen under den perioden.") % {"user": user.get_username()}
            )
        assignment = RoleAssignment.objects.create(
            user=user, role=role, organisation=organisation, valid_from=valid_from, valid_to=valid_to
        )
        result = permissions.role_grants_sync(user)
        audit_record(
            acting_user=acting_user,
            action=PartyAction.ROLE_ASSIGNED,
            obj=assignment,
            payload={"role": role, "valid_from": valid_from, "valid_to": valid_to, **result},
        )
    return assignment


def role_end(*, acting_user, assignment: RoleAssignment, valid_to: dt.date) -> RoleAssignment:
    """End a role on ``valid_to``; grants are revoked at once if that day has passed."""
    permissions.check_manage_roles(acting_user)
    with transaction.atomic():
        assignment = RoleAssignment.objects.select_for_update().select_related("user").get(pk=assignment.pk)
        if valid_to < assignment.valid_from:
            raise ValidationError(_("Slutdatum kan inte vara före startdatum."))
        assignment.valid_to = valid_to
        assignment.save(update_fields=["valid_to"])
        result = permissions.role_grants_sync(assignment.user)
        audit_record(
            acting_user=acting_user,
            action=PartyAction.ROLE_ENDED,
            obj=assignment,
            payload={"valid_to": valid_to, **result},
        )
    return assignment


def role_assignments_sync(*, on: dt.date | None = None) -> dict[str, int]:
    """Daily: apply assignments that started or ended. Idempotent: a second run changes nothing."""
    on = on or calendar.today()
    user_ids = set(RoleAssignment.objects.values_list("user_id", flat=True)) | set(
        OrganisationUserObjectPermission.objects.values_list("user_id", flat=True)
    )
    from django.contrib.auth import get_user_model

    return grants_sync_all(
        users=get_user_model().objects.filter(pk__in=user_ids),
        sync=lambda user: permissions.role_grants_sync(user, on=on),
        action=PartyAction.ROLE_GRANTS_SYNCED,
    )


def contact_person_add(
    *,
    acting_user,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    title: str,
    role: str,
    email: str,
    phone: str,
    valid_from: dt.date,
) -> ContactAssignment:
    """Register a (new or known, by e-mail) person of ``organisation`` in its contact bank."""
    permissions.check_manage_contacts(acting_user, organisation)
    with transaction.atomic():
        person = Person.objects.filter(organisation=organisation, email__iexact=email).first()
        if person is None:
            person = person_create(
                acting_user=acting_user,
                organisation=organisation,
                first_name=first_name,
                last_name=last_name,
                title=title,
                email=email,
                phone=phone,
            )
        return contact_assign(
            acting_user=acting_user,
            organisation=organisation,
            person=person,
            role=role,
            email=email,
            phone=phone,
            valid_from=valid_from,
        )
