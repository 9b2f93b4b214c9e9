"""Every state machine runs through the one runner, with a rule for every transition."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django_fsm import FSMFieldMixin

from governance.core import transitions
from governance.core.choices import AuditAction


def _state_machines():
    return [
        model
        for model in apps.get_models()
        if any(isinstance(field, FSMFieldMixin) for field in model._meta.get_fields())
    ]


def test_every_state_machine_has_a_rule_for_every_transition():
    registered = transitions.registered_models()
    machines = _state_machines()
    assert machines, "no state machine found"
    for model in machines:
        assert model in registered, f"{model.__name__} has no rules table"
        declared = transitions.transition_names(model)
        assert declared == set(registered[model]), model.__name__
        for name, rule in registered[model].items():
            assert isinstance(rule.action, AuditAction), f"{model.__name__}.{name}"
            assert callable(rule.allowed), f"{model.__name__}.{name}"


def test_a_rules_table_missing_a_transition_is_refused():
    model = _state_machines()[0]
    rules = dict(transitions.registered_models()[model])
    rules.pop(next(iter(rules)))
    with pytest.raises(ImproperlyConfigured, match="missing"):
        transitions.rules_register(model, rules)
