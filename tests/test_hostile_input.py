"""Hostile input never gives a server error (issue 12, item 7).

- Every field of every form in ``governance`` has a bound (a length, a range, a fixed set of choices).
- Property-based (hypothesis): every form, built as its view builds it, is fed arbitrary text, huge numbers,
  odd dates and lists, and ``is_valid()`` either accepts or refuses with form errors, never raises.
- The login pages with a 100 000-character username answer 200 with a form error, and django-axes never
  records a username longer than its column (a DataError, 500, on PostgreSQL).
- A budget of 10^20 is refused with a Swedish message by the form, the service and the allocation, never a
  bigint overflow; the cost allocation takes arbitrary budgets and answers only with ``AllocationError``.
"""

import datetime as dt
import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import governance
from governance.agreements import costs
from governance.agreements.forms import CostModelForm
from governance.agreements.models import CostModel
from governance.agreements.services import cost_model_update

HYPOTHESIS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def _form_classes() -> list[type[forms.Form]]:
    found = {}
    for module_info in pkgutil.walk_packages(governance.__path__, "governance."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__.startswith("governance.")
                and cls.__module__ == module.__name__
                and not cls.__name__.startswith("Base")
                and cls.__name__ not in {"RequestKeyMixin"}
            ):
                found[f"{cls.__module__}.{cls.__name__}"] = cls
    return [found[key] for key in sorted(found)]


FORMS = _form_classes()


@pytest.fixture
def form_kwargs(db):
    """What each form's view passes to it, from the Origo data set."""
    from governance.agreements.models import Agreement
    from governance.decisions.models import AdoptionCase, ConsultationRound
    from governance.decisions.models.profiles import DocumentProfile
    from governance.meetings.models import Meeting
    from governance.parties.models import Organisation

    origo = Agreement.objects.get(slug="origo")
    case = AdoptionCase.objects.filter(organisation__municipality_code="0162").order_by("-pk").first()
    ekero = Organisation.objects.get(municipality_code="0125")
    consultation = ConsultationRound.objects.order_by("pk").first()
    meeting = Meeting.objects.order_by("pk").first()
    members = list(meeting.body.memberships.all()[:5]) if hasattr(meeting.body, "memberships") else []
    profile = DocumentProfile.objects.order_by("pk").first()
    return {
        "agreement": origo,
        "cost_model": CostModel.objects.get(agreement=origo),
        "organisation": ekero,
        "current": {},
        "case": case,
        "bodies": ekero.bodies.all(),
        "editing": False,
        "questions": consultation.questions.all(),
        "profile": profile,
        "members": members,
        "attendances": {},
    }


def _build(form_class, kwargs_pool, data=None, files=None):
    signature = inspect.signature(form_class.__init__)
    kwargs = {}
    for name, parameter in signature.parameters.items():
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name in kwargs_pool:
            kwargs[name] = kwargs_pool[name]
    if issubclass(form_class, AuthenticationForm):
        request = RequestFactory().post("/logga-in/")
        request.session = {}
        return form_class(request, data=data)
    return form_class(data=data, files=files, **kwargs)


# Values people (and scripts) send: any text, very long text, huge and negative numbers, odd decimals and
# dates, several values for one name.
SCALAR = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="x9 .,-", min_size=1000, max_size=1000).map(lambda s: s * 120),
    st.integers().map(str),
    st.integers(min_value=10**15, max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(str),
    st.sampled_from(["", "0", "-1", "1e5", "NaN", "99999999999999999999", "2026-02-30", "on", "\x00"]),
)
VALUE = st.one_of(SCALAR, st.lists(SCALAR, min_size=2, max_size=3))


def _querydict(values: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in values.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def _bounded(field: forms.Field) -> bool:
    if isinstance(field, forms.ChoiceField | forms.BooleanField | forms.NullBooleanField):
        return True
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField | forms.UUIDField):
        return True  # parsed from a bounded format
    if isinstance(field, forms.FileField):
        return True  # size-checked by the form's clean and DATA_UPLOAD_MAX_MEMORY_SIZE
    if isinstance(field, forms.DecimalField):
        return field.max_digits is not None or field.max_value is not None
    if isinstance(field, forms.IntegerField | forms.FloatField):
        return field.max_value is not None and field.min_value is not None
    if isinstance(field, forms.CharField):
        return field.max_length is not None or any(
            isinstance(v, __import__("django").core.validators.MaxLengthValidator) for v in field.validators
        )
    return False


def test_every_form_field_has_a_bound(form_kwargs):
    unbounded = []
    for form_class in FORMS:
        form = _build(form_class, form_kwargs)
        for name, field in form.fields.items():
            if not _bounded(field):
                unbounded.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert unbounded == [], "\n".join(unbounded)


def test_every_form_is_driven():
    assert len(FORMS) >= 30, [f.__name__ for f in FORMS]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_arbitrary_input_is_accepted_or_refused_never_a_crash(form_class, form_kwargs):
    names = list(_build(form_class, form_kwargs).fields)

    @HYPOTHESIS
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(names, VALUE)))
    def drive(values):
        with transaction.atomic():
            form = _build(form_class, form_kwargs, data=_querydict(values))
            try:
                valid = form.is_valid()
            except (ValidationError, PermissionDenied):
                return
            assert isinstance(valid, bool)
            if not valid:
                assert form.errors
            transaction.set_rollback(True)

    drive()


# The login pages: a 100 000-character username.


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_a_huge_username_is_a_form_error_and_axes_records_no_overlong_name(client, db, url_name):
    response = client.post(reverse(url_name), {"username": "a" * 100_000, "password": "x" * 20})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not AccessAttempt.objects.filter(username__regex=r"^.{151,}$").exists()


@HYPOTHESIS
@given(username=st.text(min_size=0, max_size=400), password=st.text(max_size=300))
def test_any_login_input_answers_without_a_server_error(client, db, username, password):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in {200, 429}
    assert not AccessAttempt.objects.filter(username__regex=r"^.{151,}$").exists()


# The budget: 10^20 kronor.


def test_a_budget_of_ten_to_the_twentieth_is_a_form_error(client, host_admin, origo):
    client.force_login(host_admin)
    cost_model = CostModel.objects.get(agreement=origo)
    data = {"annual_budget": str(10**20), "basis_rule": cost_model.basis_rule}
    data.update({f"share_{share.pk}": str(share.percent) for share in cost_model.shares.all()})
    response = client.post(reverse("agreements:cost_model_edit", args=["origo"]), data)
    assert response.status_code == 400
    cost_model.refresh_from_db()
    assert cost_model.annual_budget < 10**20


def test_the_service_refuses_a_budget_of_ten_to_the_twentieth_in_swedish(host_admin, origo):
    cost_model = CostModel.objects.get(agreement=origo)
    with pytest.raises(ValidationError) as refused:
        cost_model_update(
            acting_user=host_admin,
            cost_model=cost_model,
            annual_budget=10**20,
            basis_rule=cost_model.basis_rule,
            fixed_basis_date=cost_model.fixed_basis_date,
            percents={share.pk: share.percent for share in cost_model.shares.all()},
        )
    assert "Budgeten får vara högst" in " ".join(refused.value.messages)
    cost_model.refresh_from_db()
    assert cost_model.annual_budget < 10**20


@HYPOTHESIS
@given(budget=st.one_of(st.integers(), st.integers(min_value=10**9, max_value=10**40)))
def test_cost_model_form_and_service_take_any_budget(host_admin, origo, budget):
    cost_model = CostModel.objects.get(agreement=origo)
    data = {
        "annual_budget": str(budget),
        "basis_rule": cost_model.basis_rule,
        "fixed_basis_date": str(cost_model.fixed_basis_date or ""),
    }
    data.update({f"share_{share.pk}": str(share.percent) for share in cost_model.shares.all()})
    form = CostModelForm(data, cost_model=cost_model)
    if form.is_valid():
        with transaction.atomic():
            cost_model_update(
                acting_user=host_admin,
                cost_model=cost_model,
                annual_budget=form.cleaned_data["annual_budget"],
                basis_rule=form.cleaned_data["basis_rule"],
                fixed_basis_date=form.cleaned_data["fixed_basis_date"],
                percents=form.percents(),
            )
            transaction.set_rollback(True)
    else:
        assert set(form.errors) == {"annual_budget"}, form.errors
        assert budget <= 0 or budget > costs.MAX_BUDGET


@HYPOTHESIS
@given(
    budget=st.integers(min_value=-(10**30), max_value=10**30),
    pool=st.decimals(min_value=0, max_value=100, places=2),
    populations=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=6),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), max_size=3),
)
def test_the_allocation_takes_any_input_and_refuses_only_with_allocation_error(
    budget, pool, populations, weights
):
    members = [
        costs.PoolMember(organisation_id=n, code=f"{n:04d}", name=f"Kommun {n}", population=population)
        for n, population in enumerate(populations, start=1)
    ]
    fixed = [costs.FixedParty(organisation_id=99, name="Region", percent=Decimal(100) - pool)]
    splits = {1: [(f"Nämnd {n}", weight) for n, weight in enumerate(weights)]} if weights else None
    try:
        allocation = costs.compute_allocation(
            year=2026,
            basis_date=dt.date(2025, 12, 31),
            budget=budget,
            fixed=fixed,
            pool_percent=pool,
            members=members,
            splits=splits,
        )
    except costs.AllocationError as error:
        assert str(error)
        return
    assert 0 < budget <= costs.MAX_BUDGET
    assert allocation.total == budget
