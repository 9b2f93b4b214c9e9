"""An adoption case's transitions: which the caller may take now (GET), and taking one (POST).

The POST validates with the page's own form for the action (``decisions.forms``), checks the same rules
(``decisions.permissions.CASE_RULES`` through ``core.transitions``) and calls the same service as the case page.
A stale ``expected_state`` is 409. An ``Idempotency-Key`` header (a UUID) makes a retried POST write once
(``core.services.request_once``): the retry gets the case as it is now, with ``Idempotent-Replayed: true``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.core.transitions import rule_for, transitions_available
from governance.decisions import queries as decision_queries
from governance.decisions import services as decision_services
from governance.decisions.forms import DecisionForm, SignForm
from governance.decisions.models import AdoptionCase
from governance.decisions.views.cases import ACTION_FORMS, ACTION_LABELS, ACTION_TRANSITIONS

from .. import serializers
from .idempotency import IDEMPOTENCY_HEADER, idempotency_key, replayed_marked, run_once


def _case_or_404(user, pk) -> AdoptionCase:
    try:
        pk = int(pk)
    except ValueError:
        raise Http404 from None
    return decision_queries.case_detail(user, pk)


class CaseTransitionsView(APIView):
    @extend_schema(responses=serializers.CaseTransitionsSerializer)
    def get(self, request, pk):
        """The actions the caller may take on the case now (the buttons of the case page)."""
        case = _case_or_404(request.user, pk)
        available = set(transitions_available(request.user, case))
        rows = [
            {"action": action, "label": str(ACTION_LABELS[action]), "transitions": names}
            for action, names in ACTION_TRANSITIONS.items()
            if available.intersection(names)
        ]
        return Response({"state": case.state, "available": rows})

    @extend_schema(
        request={
            "application/json": serializers.CaseTransitionRequestSerializer,
            "multipart/form-data": serializers.CaseTransitionRequestSerializer,
        },
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                description=_("Samma nyckel vid ett nytt försök: ändringen görs bara en gång."),
            )
        ],
        responses=serializers.AdoptionCaseDetailSerializer,
    )
    def post(self, request, pk):
        """Take an action on the case, through the same service and rules as the case page."""
        case = _case_or_404(request.user, pk)  # 404 for another municipality's case
        key = idempotency_key(request)
        data = request.data
        action = data.get("action") if hasattr(data, "get") else None
        if not isinstance(action, str) or action not in ACTION_FORMS:
            raise ValidationError(
                {"action": [_("Ange en av: %(names)s.") % {"names": ", ".join(ACTION_FORMS)}]}
            )
        if not any(rule_for(AdoptionCase, t).allowed(request.user, case) for t in ACTION_TRANSITIONS[action]):
            raise PermissionDenied(_("Du får inte göra detta i ärendet."))
        form_class = ACTION_FORMS[action]
        kwargs = {"case": case} if form_class in (DecisionForm, SignForm) else {}
        form = form_class(_form_data(data), request.FILES, **kwargs)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})

        def run():
            decision_services.case_action_run(
                acting_user=request.user, case=case, action=action, data=form.cleaned_data
            )
            return case, reverse("api:case-detail", kwargs={"pk": case.pk})

        replayed = run_once(request, key=key, scope=f"api.case.{case.pk}.{action}", run=run)
        return replayed_marked(
            Response(serializers.AdoptionCaseDetailSerializer(_case_or_404(request.user, case.pk)).data),
            replayed,
        )


def _form_data(data) -> dict:
    """A JSON body or a form post, as the strings a Django form reads."""
    if hasattr(data, "getlist"):
        return data
    if not isinstance(data, dict):
        return {}
    return {
        key: "" if value is None else str(value) if not isinstance(value, str) else value
        for key, value in data.items()
    }
