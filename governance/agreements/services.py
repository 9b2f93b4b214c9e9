"""Writes for agreements and cost models."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from governance.core.formatting import format_percent
from governance.core.services import audit_record
from governance.parties.choices import OrganisationKind
from governance.parties.models import Body, Organisation

from . import costs, permissions
from .choices import AgreementAction, BasisRule, PartyRole, ShareKind
from .models import Agreement, AgreementParty, CostModel, CostShare, CostSplit


def _validate_cost_terms(*, annual_budget, basis_rule, fixed_basis_date, percents) -> list[str]:
    errors = []
    if not isinstance(annual_budget, int) or annual_budget <= 0:
        errors.append(_("Budgeten måste vara ett positivt belopp i hela kronor."))
    elif annual_budget > costs.MAX_BUDGET:
        errors.append(costs.budget_too_large_message(annual_budget))
    if basis_rule not in BasisRule.values:
        errors.append(_("Okänd regel för folkmängdens datum."))
    elif basis_rule == BasisRule.FIXED_DATE and fixed_basis_date is None:
        errors.append(_("Ange det fasta datumet för folkmängden."))
    if any(p <= 0 for p in percents):
        errors.append(_("Varje andel måste vara större än 0 %."))
    total = sum(percents, Decimal(0))
    if total != Decimal(100):
        errors.append(_("Andelarna summerar till %(sum)s, inte 100 %%.") % {"sum": format_percent(total)})
    return errors


def cost_model_update(
    *,
    acting_user,
    cost_model: CostModel,
    annual_budget: int,
    basis_rule: str,
    fixed_basis_date: dt.date | None,
    percents: dict[int, Decimal],
) -> CostModel:
    """Change an agreement's budget, basis-date rule and share percentages (keyed by CostShare id).

    Refused with every problem listed, and nothing written, if the budget is not positive or the shares
    do not add up to 100 %.
    """
    permissions.check_manage_agreements(acting_user)
    with transaction.atomic():
        cost_model = CostModel.objects.select_for_update().get(pk=cost_model.pk)
        shares = {share.pk: share for share in cost_model.shares.select_for_update()}
        if set(percents) != set(shares):
            raise ValidationError(_("Alla andelar i kostnadsmodellen måste anges."))
        errors = _validate_cost_terms(
            annual_budget=annual_budget,
            basis_rule=basis_rule,
            fixed_basis_date=fixed_basis_date,
            percents=list(percents.values()),
        )
        if errors:
            raise ValidationError(errors)
        before = {
            "annual_budget": cost_model.annual_budget,
            "basis_rule": cost_model.basis_rule,
            "fixed_basis_date": cost_model.fixed_basis_date,
            "percents": {str(pk): str(s.percent) for pk, s in shares.items()},
        }
        cost_model.annual_budget = annual_budget
        cost_model.basis_rule = basis_rule
        cost_model.fixed_basis_date = fixed_basis_date if basis_rule == BasisRule.FIXED_DATE else None
        cost_model.save()
        changed_shares = []
        for pk, percent in percents.items():
            if shares[pk].percent != percent:
                shares[pk].percent = percent
                changed_shares.append(shares[pk])
        CostShare.objects.bulk_update(changed_shares, ["percent"])
        audit_record(
            acting_user=acting_user,
            action=AgreementAction.COST_MODEL_UPDATED,
            obj=cost_model,
            payload={
                "before": before,
                "after": {
                    "annual_budget": annual_budget,
                    "basis_rule": basis_rule,
                    "fixed_basis_date": cost_model.fixed_basis_date,
                    "percents": {str(pk): str(p) for pk, p in percents.items()},
                },
            },
        )
    return cost_model


MAX_TITLE = 300
MAX_SHORT_TITLE = 100
MAX_FIXED_SHARES = 10


def agreement_create(
    *,
    acting_user,
    slug: str,
    title: str,
    short_title: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    host: Organisation | None,
    annual_budget: int | None,
    basis_rule: str,
    fixed_basis_date: dt.date | None = None,
    fixed_shares: list[tuple[Organisation, Decimal]] = (),
    pool_percent: Decimal | None = None,
    financing: list[Organisation] | None = None,
    cooperating: list[Organisation] = (),
    previous: Agreement | None = None,
    splits: list[tuple[Body, int]] = (),
    is_demo_data: bool = False,
) -> Agreement:
    """Create an agreement with its parties and cost model.

    ``fixed_shares`` are fixed percentages for named parties (Region Stockholm 25 %); ``pool_percent`` is the
    municipalities' share by population. The shares must add up to 100 % (validated like
    ``cost_model_update``). ``financing`` defaults to every municipality; parties with a fixed share finance
    too; the host is added as host if it is not already a party. ``previous`` makes it a renewal.
    Refused with every problem listed, and nothing written.
    """
    permissions.check_create_agreement(acting_user)
    slug, title, short_title = (slug or "").strip(), (title or "").strip(), (short_title or "").strip()
    fixed_shares = list(fixed_shares)
    errors = []
    if not slug or slugify(slug) != slug or len(slug) > 60:
        errors.append(_("Kortnamn: högst 60 tecken, små bokstäver a–z, siffror och bindestreck."))
    if not title or len(title) > MAX_TITLE:
        errors.append(_("Titel: ange en titel på högst %(n)s tecken.") % {"n": MAX_TITLE})
    if not short_title or len(short_title) > MAX_SHORT_TITLE:
        errors.append(_("Kort titel: ange en kort titel på högst %(n)s tecken.") % {"n": MAX_SHORT_TITLE})
    if period_start is None or period_end is None:
        errors.append(_("Avtalsperiod: ange från- och tilldatum."))
    elif period_end <= period_start:
        errors.append(_("Avtalsperiod: slutdatum måste vara efter startdatum."))
    if host is None:
        errors.append(_("Huvudman: välj huvudman."))
    if len(fixed_shares) > MAX_FIXED_SHARES:
        errors.append(_("Fasta andelar: högst %(n)s parter.") % {"n": MAX_FIXED_SHARES})
    parties = [org for org, _p in fixed_shares]
    if len({org.pk for org in parties}) != len(parties):
        errors.append(_("Fasta andelar: varje part får bara ha en fast andel."))
    percents = [percent for _o, percent in fixed_shares]
    if pool_percent:
        percents.append(pool_percent)
    if any(p.as_tuple().exponent < -4 for p in percents if isinstance(p, Decimal)):
        errors.append(_("Andelar: högst fyra decimaler."))
    errors += _validate_cost_terms(
        annual_budget=annual_budget,
        basis_rule=basis_rule,
        fixed_basis_date=fixed_basis_date,
        percents=percents,
    )
    if previous is not None:
        if Agreement.objects.filter(previous=previous).exists():
            errors.append(_("Förlänger: %(prev)s har redan en förlängning.") % {"prev": previous})
        elif period_start is not None and period_start <= previous.period_end:
            errors.append(_("Avtalsperiod: en förlängning börjar efter det tidigare avtalets slut."))
    if errors:
        raise ValidationError(errors)
    if financing is None:
        financing = list(Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY))
    with transaction.atomic():
        if Agreement.objects.filter(slug=slug).exists():
            raise ValidationError(_("Kortnamn: ”%(slug)s” används redan.") % {"slug": slug})
        agreement = Agreement(
            slug=slug,
            title=title,
            short_title=short_title,
            period_start=period_start,
            period_end=period_end,
            host=host,
            previous=previous,
            is_demo_data=is_demo_data,
        )
        agreement.full_clean()
        agreement.save()
        members: dict[int, tuple[Organisation, str]] = {}
        for org in [*financing, *parties]:
            members.setdefault(org.pk, (org, PartyRole.FINANCING))
        for org in cooperating:
            members.setdefault(org.pk, (org, PartyRole.COOPERATING))
        members.setdefault(host.pk, (host, PartyRole.HOST))
        AgreementParty.objects.bulk_create(
            [
                AgreementParty(agreement=agreement, organisation=org, role=role)
                for org, role in members.values()
            ]
        )
        cost_model = CostModel.objects.create(
            agreement=agreement,
            annual_budget=annual_budget,
            basis_rule=basis_rule,
            fixed_basis_date=fixed_basis_date if basis_rule == BasisRule.FIXED_DATE else None,
        )
        shares = [
            CostShare(cost_model=cost_model, kind=ShareKind.FIXED, organisation=org, percent=percent)
            for org, percent in fixed_shares
        ]
        if pool_percent:
            shares.append(
                CostShare(cost_model=cost_model, kind=ShareKind.POPULATION_POOL, percent=pool_percent)
            )
        CostShare.objects.bulk_create(shares)
        CostSplit.objects.bulk_create(
            [CostSplit(cost_model=cost_model, body=body, weight=weight) for body, weight in splits]
        )
        audit_record(
            acting_user=acting_user,
            action=AgreementAction.AGREEMENT_CREATED,
            obj=agreement,
            payload={
                "parties": len(members),
                "annual_budget": annual_budget,
                "basis_rule": basis_rule,
                "fixed_basis_date": cost_model.fixed_basis_date,
                "shares": [{"party": org.name, "percent": str(p)} for org, p in fixed_shares]
                + ([{"pool": True, "percent": str(pool_percent)}] if pool_percent else []),
                "previous": previous.slug if previous else None,
            },
        )
    return agreement


def agreement_load(*, acting_user, data: dict) -> tuple[Agreement, bool]:
    """Create an agreement with its parties and cost model from fixture data, unless it exists (by slug),
    through ``agreement_create``. Returns the agreement and whether it was created."""
    permissions.check_manage_agreements(acting_user)
    existing = Agreement.objects.filter(slug=data["slug"]).first()
    if existing is not None:
        return existing, False
    terms = data["cost_model"]
    organisations = {org.name: org for org in Organisation.objects.all()}
    try:
        fixed = [
            (organisations[share["party"]], Decimal(share["percent"]))
            for share in terms["shares"]
            if not share.get("pool")
        ]
        pools = [Decimal(share["percent"]) for share in terms["shares"] if share.get("pool")]
    except (InvalidOperation, KeyError) as exc:
        raise ValidationError(_("Ogiltig andel i kostnadsmodellen.")) from exc
    fixed_basis = terms.get("fixed_basis_date")
    financing = []
    for name in data.get("financing", []):
        if name == "all_municipalities":
            financing += [org for org in organisations.values() if org.kind == OrganisationKind.MUNICIPALITY]
        else:
            financing.append(organisations[name])
    agreement = agreement_create(
        acting_user=acting_user,
        slug=data["slug"],
        title=data["title"],
        short_title=data["short_title"],
        period_start=dt.date.fromisoformat(data["period_start"]),
        period_end=dt.date.fromisoformat(data["period_end"]),
        host=organisations[data["host"]],
        annual_budget=terms["annual_budget"],
        basis_rule=terms["basis_rule"],
        fixed_basis_date=dt.date.fromisoformat(fixed_basis) if fixed_basis else None,
        fixed_shares=fixed,
        pool_percent=pools[0] if pools else None,
        financing=financing,
        cooperating=[organisations[name] for name in data.get("cooperating", [])],
        previous=Agreement.objects.get(slug=data["previous"]) if data.get("previous") else None,
        splits=[
            (Body.objects.get(organisation__name=split["organisation"], name=split["body"]), split["weight"])
            for split in terms.get("splits", [])
        ],
        is_demo_data=bool(data.get("demo")),
    )
    return agreement, True


MAX_SPLIT_WEIGHT = 1000


def cost_split_set(
    *, acting_user, cost_model: CostModel, organisation: Organisation, weights: dict[int, int]
) -> list[CostSplit]:
    """Set how ``organisation``'s amount is divided among its bodies: ``weights`` maps body id to weight.

    Replaces the party's previous split. Refused with every problem listed, and nothing written, if the
    organisation is not a party, a body is not the organisation's, or a weight is not a whole number from
    1 to ``MAX_SPLIT_WEIGHT``.
    """
    permissions.check_set_cost_split(acting_user, organisation)
    with transaction.atomic():
        cost_model = CostModel.objects.select_for_update().select_related("agreement").get(pk=cost_model.pk)
        errors = []
        if not AgreementParty.objects.filter(
            agreement=cost_model.agreement, organisation=organisation
        ).exists():
            errors.append(
                _("%(org)s är inte part i %(agreement)s.")
                % {"org": organisation.name, "agreement": cost_model.agreement}
            )
        if not weights:
            errors.append(_("Ange en vikt för minst ett organ."))
        bodies = {
            body.pk: body for body in Body.objects.filter(organisation=organisation, pk__in=list(weights))
        }
        if set(weights) - set(bodies):
            errors.append(_("Organen måste höra till %(org)s.") % {"org": organisation.name})
        for body_id, weight in weights.items():
            if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= MAX_SPLIT_WEIGHT:
                name = bodies[body_id].name if body_id in bodies else str(body_id)
                errors.append(
                    _("Vikten för %(body)s måste vara ett heltal från 1 till %(max)s.")
                    % {"body": name, "max": MAX_SPLIT_WEIGHT}
                )
        if errors:
            raise ValidationError(errors)
        previous = list(
            CostSplit.objects.select_for_update()
            .filter(cost_model=cost_model, body__organisation=organisation)
            .select_related("body")
        )
        before = {str(split.body_id): split.weight for split in previous}
        after = {str(body_id): weight for body_id, weight in weights.items()}
        if before == after:
            return previous
        CostSplit.objects.filter(pk__in=[split.pk for split in previous]).delete()
        splits = CostSplit.objects.bulk_create(
            [
                CostSplit(cost_model=cost_model, body=bodies[body_id], weight=w)
                for body_id, w in weights.items()
            ]
        )
        audit_record(
            acting_user=acting_user,
            action=AgreementAction.COST_SPLIT_UPDATED,
            obj=cost_model,
            comment=organisation.name,
            payload={"organisation": organisation.pk, "before": before, "after": after},
        )
    return splits
