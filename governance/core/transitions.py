"""The one runner for every state machine (adoption case, meeting, minutes, generated document).

Each app declares, in its ``permissions.py``, a rules table for each of its state machines: for every
django-fsm transition, who may run it (``Rule.allowed``) and the audit action it writes (``Rule.action``). The
app registers the table in its ``AppConfig.ready()`` with ``rules_register``, which refuses a table that misses
a transition. ``transition_run`` then does, in one transaction:

1. lock the row (``select_for_update``) and re-read it;
2. compare the state the user saw (``expected_state``, from the page) with the locked row's: a difference is a
   ``TransitionConflict`` (the view answers 409 and asks the user to reload);
3. check the rule's permission against the locked row (``PermissionDenied``);
4. check the transition's source state and conditions with django-fsm's ``can_proceed`` (``ValidationError``);
5. run the caller's ``validate(locked)``, the transition, ``locked.save()`` and the caller's ``after(locked)``,
   which writes related rows and may return more audit payload;
6. write exactly one audit row with the source and target state.

django-fsm-2 does not enforce a transition's ``permission``: the rules table is what is enforced. A signal
handler refuses any fsm transition that does not run inside ``transition_run``, so a state cannot change
around the runner (docs/adr/0006-transition-runner.md).
"""

import contextvars
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, FSMFieldMixin, can_proceed
from django_fsm.signals import pre_transition

from .choices import AuditAction
from .services import audit_record

#: ``(user or None, locked object) -> bool``. ``None`` is the system (scheduled jobs, data loads).
Allowed = Callable[[Any, models.Model], bool]


@dataclass(frozen=True)
class Rule:
    """Who may run one transition, and the audit action it records."""

    allowed: Allowed
    action: AuditAction
    denied_message: str = ""


class TransitionConflict(Exception):
    """The object changed since the user loaded the page, or a concurrent transition won (answer 409)."""


_RULES: dict[type[models.Model], dict[str, Rule]] = {}
_running: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("transition_running", default=None)


def state_field(model: type[models.Model]) -> FSMFieldMixin:
    """The model's one django-fsm state field."""
    fields = [f for f in model._meta.get_fields() if isinstance(f, FSMFieldMixin)]
    if len(fields) != 1:
        raise ImproperlyConfigured(f"{model.__name__} needs exactly one FSM field, has {len(fields)}.")
    return fields[0]


def transition_names(model: type[models.Model]) -> set[str]:
    """The names of every fsm transition declared on ``model``."""
    return {t.name for t in state_field(model).get_all_transitions(model)}


def rules_register(model: type[models.Model], rules: Mapping[str, Rule]) -> None:
    """Register ``model``'s rules table; every transition needs a rule and every rule a transition."""
    declared = transition_names(model)
    missing, unknown = declared - set(rules), set(rules) - declared
    if missing or unknown:
        raise ImproperlyConfigured(
            f"Rules for {model.__name__}: missing {sorted(missing)}, unknown {sorted(unknown)}."
        )
    for name, rule in rules.items():
        if not isinstance(rule.action, AuditAction):
            raise ImproperlyConfigured(f"Rule {model.__name__}.{name} needs an AuditAction.")
    _RULES[model] = dict(rules)


def registered_models() -> dict[type[models.Model], dict[str, Rule]]:
    return dict(_RULES)


def rule_for(model: type[models.Model], transition: str) -> Rule:
    try:
        return _RULES[model][transition]
    except KeyError as exc:
        raise ImproperlyConfigured(f"No rule for {model.__name__}.{transition}.") from exc


def transition_allowed(user, obj: models.Model, transition: str) -> bool:
    """Whether ``user`` may run ``transition`` on ``obj`` now: the rule's permission and fsm's source/conditions."""
    if not rule_for(type(obj), transition).allowed(user, obj):
        return False
    return can_proceed(getattr(obj, transition))


def transitions_available(user, obj: models.Model) -> list[str]:
    """The transitions ``user`` may run on ``obj`` in its current state, for pages to offer (in declared order)."""
    field = state_field(type(obj))
    available = {t.name for t in getattr(obj, f"get_available_{field.name}_transitions")()}
    rules = _RULES[type(obj)]
    return [name for name in rules if name in available and rules[name].allowed(user, obj)]


def _state_label(obj: models.Model, field: FSMFieldMixin) -> str:
    display = getattr(obj, f"get_{field.name}_display", None)
    return str(display()) if display else str(getattr(obj, field.name))


def transition_run(
    *,
    acting_user,
    obj: models.Model,
    transition: str,
    expected_state: str | None = None,
    validate: Callable[[models.Model], None] | None = None,
    after: Callable[[models.Model], dict | None] | None = None,
    before_save: Callable[[models.Model], None] | None = None,
    comment: str = "",
    payload: dict | None = None,
    object_label: str | None = None,
    select_related: tuple[str, ...] = (),
) -> models.Model:
    """Run one transition under the rules in the module docstring and return the locked, saved object.

    ``validate(locked)`` raises ``ValidationError`` before anything changes; ``before_save(locked)`` sets other
    fields of the row after the transition; ``after(locked)`` writes related rows after the save and may return
    a dict that is added to the audit payload.
    """
    model = type(obj)
    rule = rule_for(model, transition)
    field = state_field(model)
    try:
        with transaction.atomic():
            queryset = model._default_manager.select_related(*select_related)
            queryset = (
                queryset.select_for_update(of=("self",)) if select_related else queryset.select_for_update()
            )
            locked = queryset.get(pk=obj.pk)
            source = getattr(locked, field.name)
            if expected_state is not None and source != expected_state:
                raise TransitionConflict(
                    _(
                        "Det här har ändrats av någon annan (det är nu ”%(state)s”). Ladda om sidan och försök igen."
                    )
                    % {"state": _state_label(locked, field)}
                )
            if not rule.allowed(acting_user, locked):
                raise PermissionDenied(rule.denied_message or _("Du får inte göra det här."))
            method = getattr(locked, transition)
            if not can_proceed(method):
                raise ValidationError(
                    _("Det går inte i läget ”%(state)s”.") % {"state": _state_label(locked, field)}
                )
            if validate is not None:
                validate(locked)
            token = _running.set((model, locked.pk, transition))
            try:
                method()
            finally:
                _running.reset(token)
            if before_save is not None:
                before_save(locked)
            locked.save()
            extra = after(locked) if after is not None else None
            audit_record(
                acting_user=acting_user,
                action=rule.action,
                obj=locked,
                object_label=object_label,
                source_state=source,
                target_state=getattr(locked, field.name),
                comment=comment,
                payload={**(payload or {}), **(extra or {})},
            )
    except ConcurrentTransition as exc:
        raise TransitionConflict(
            _("Det här ändrades samtidigt av någon annan. Ladda om sidan och försök igen.")
        ) from exc
    return locked


def _refuse_outside_runner(sender, instance, name, **kwargs):
    running = _running.get()
    if running is None or running[0] is not type(instance) or running[2] != name:
        raise RuntimeError(
            f"{type(instance).__name__}.{name}() must run through governance.core.transitions.transition_run."
        )


pre_transition.connect(_refuse_outside_runner, dispatch_uid="core.transitions.refuse_outside_runner")
