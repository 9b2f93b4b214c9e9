"""Writes for the cooperation bodies and their memberships."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.agreements.models import Agreement
from governance.core.services import audit_record, grants_sync_all
from governance.parties.models import Organisation, Person
from governance.parties.services import person_create

from .. import permissions
from ..choices import VOTING_ROLES, MeetingAction, MembershipRole
from ..models import CooperationBody, CooperationBodyUserObjectPermission, Membership, SeatRule


class CompositionError(ValidationError):
    """The seat would break the body's composition rules."""


def check_composition(*, body: CooperationBody, organisation: Organisation, role: str, on: dt.date) -> None:
    """Refuse a voting seat beyond the body's rules and a chair who is not from the convener."""
    if role == MembershipRole.CHAIR and organisation.pk != body.convener_id:
        raise CompositionError(
            _("Ordföranden i %(body)s ska komma från %(convener)s.")
            % {"body": body, "convener": body.convener}
        )
    if role not in VOTING_ROLES:
        return
    rules = list(body.seat_rules.select_related("organisation", "body"))
    if not rules:
        return
    rule = next((r for r in rules if r.organisation_id == organisation.pk), None) or next(
        (r for r in rules if r.organisation_id is None and r.applies_to(organisation)), None
    )
    if rule is None:
        raise CompositionError(_("%(org)s har ingen plats i %(body)s.") % {"org": organisation, "body": body})
    seats = [
        m
        for m in Membership.objects.active(on)
        .filter(body=body, role__in=VOTING_ROLES)
        .select_related("organisation")
        if (rule.organisation_id == m.organisation_id)
        or (rule.organisation_id is None and rule.applies_to(m.organisation))
    ]
    if len(seats) >= rule.max_seats:
        raise CompositionError(
            _("%(body)s har redan %(n)s av %(max)s platser för %(label)s.")
            % {"body": body, "n": len(seats), "max": rule.max_seats, "label": rule.label}
        )
    if (
        rule.max_per_organisation
        and sum(1 for m in seats if m.organisation_id == organisation.pk) >= rule.max_per_organisation
    ):
        raise CompositionError(
            _("%(org)s har redan sin plats i %(body)s.") % {"org": organisation, "body": body}
        )


def _sync_person(person: Person) -> dict[str, int]:
    if person.user_id is None:
        return {"granted": 0, "revoked": 0}
    return permissions.membership_grants_sync(person.user)


def membership_add(
    *,
    acting_user,
    body: CooperationBody,
    person: Person,
    organisation: Organisation,
    role: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    appointed_by: Organisation,
) -> Membership:
    """Seat ``person`` in ``body`` for a term; grants apply at once when the term has begun."""
    permissions.check_manage_memberships(acting_user)
    if role not in MembershipRole.values:
        raise ValidationError(_("Okänd roll ”%(role)s”.") % {"role": role})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("Mandatperiodens slut kan inte vara före dess början."))
    with transaction.atomic():
        body = CooperationBody.objects.select_for_update().get(pk=body.pk)
        check_composition(body=body, organisation=organisation, role=role, on=valid_from)
        overlapping = (
            Membership.objects.filter(body=body, person=person, role=role).active(valid_from).exists()
        )
        if overlapping:
            raise ValidationError(
                _("%(person)s har redan den rollen i %(body)s.") % {"person": person, "body": body}
            )
        membership = Membership.objects.create(
            body=body,
            person=person,
            organisation=organisation,
            role=role,
            valid_from=valid_from,
            valid_to=valid_to,
            appointed_by=appointed_by,
        )
        grants = _sync_person(person)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.MEMBERSHIP_ADDED,
            obj=membership,
            payload={"role": role, "valid_from": valid_from, "valid_to": valid_to, **grants},
        )
    return membership


def membership_end(*, acting_user, membership: Membership, valid_to: dt.date) -> Membership:
    """End a term on ``valid_to``; the membership stays as history and grants end with it."""
    permissions.check_manage_memberships(acting_user)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
        if valid_to < membership.valid_from:
            raise ValidationError(_("Slutdatum kan inte vara före startdatum."))
        membership.valid_to = valid_to
        membership.save(update_fields=["valid_to"])
        grants = _sync_person(membership.person)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.MEMBERSHIP_ENDED,
            obj=membership,
            payload={"valid_to": valid_to, **grants},
        )
    return membership


def membership_grants_sync_all(*, on: dt.date | None = None) -> dict[str, int]:
    """Daily: apply terms that began or ended. Idempotent."""
    user_model = get_user_model()
    user_ids = set(Membership.objects.exclude(person__user=None).values_list("person__user_id", flat=True))
    user_ids |= set(CooperationBodyUserObjectPermission.objects.values_list("user_id", flat=True))
    return grants_sync_all(
        users=user_model.objects.filter(pk__in=user_ids),
        sync=lambda user: permissions.membership_grants_sync(user, on=on),
        action=MeetingAction.MEMBERSHIP_GRANTS_SYNCED,
    )


def body_load(*, acting_user, data: dict) -> tuple[CooperationBody, int]:
    """Create a body and its memberships from fixture data (idempotent by slug and person).

    People named in the fixture without a login are created as person records of their organisation.
    """
    permissions.check_manage_memberships(acting_user)
    organisations = {org.name: org for org in Organisation.objects.all()}
    with transaction.atomic():
        body, created = CooperationBody.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "kind": data["kind"],
                "convener": organisations[data["convener"]],
                "meetings_per_year": data["meetings_per_year"],
                "agreement": Agreement.objects.filter(slug=data.get("agreement")).first(),
            },
        )
        if created:
            body.notice_working_days = data.get("notice_working_days", body.notice_working_days)
            body.save(update_fields=["notice_working_days"])
            SeatRule.objects.bulk_create(
                [
                    SeatRule(
                        body=body,
                        label=rule["label"],
                        organisation_kind=rule.get("organisation_kind", ""),
                        organisation=organisations[rule["organisation"]]
                        if rule.get("organisation")
                        else None,
                        exclude_convener=rule.get("exclude_convener", False),
                        max_seats=rule["max_seats"],
                        max_per_organisation=rule.get("max_per_organisation"),
                        appointed_by=organisations[rule["appointed_by"]]
                        if rule.get("appointed_by")
                        else None,
                    )
                    for rule in data.get("rules", [])
                ]
            )
            audit_record(acting_user=acting_user, action=MeetingAction.COOPERATION_BODY_CREATED, obj=body)
        added = 0
        for seat in data["members"]:
            organisation = organisations[seat["organisation"]]
            if seat.get("username"):
                person = Person.objects.get(user__username=seat["username"])
            else:
                first, last = seat["name"].split(" ", 1)
                person = Person.objects.filter(
                    first_name=first, last_name=last, organisation=organisation
                ).first() or person_create(
                    acting_user=acting_user,
                    organisation=organisation,
                    first_name=first,
                    last_name=last,
                    title=seat.get("title", ""),
                    email=seat.get("email", ""),
                )
            if Membership.objects.filter(body=body, person=person, role=seat["role"]).exists():
                continue
            membership_add(
                acting_user=acting_user,
                body=body,
                person=person,
                organisation=organisation,
                role=seat["role"],
                valid_from=dt.date.fromisoformat(seat["from"]),
                valid_to=dt.date.fromisoformat(seat["to"]) if seat.get("to") else None,
                appointed_by=organisations[seat["appointed_by"]],
            )
            added += 1
    return body, added
