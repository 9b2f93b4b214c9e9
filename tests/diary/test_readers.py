"""The owning apps' rules for many objects at once (``readable_ids``) agree with their rule for one
(``may_read``), and the register's rows decide every entry as one at a time would, in a fixed number of
queries whatever the number of entries."""

import pytest
from django.contrib.auth.models import AnonymousUser

from governance.diary import permissions, queries, services
from governance.diary.models import DiaryEntry
from governance.diary.registry import _MANY_READERS, many_reader_for, reader_for
from tests.test_permission_matrix import ROLES


def _user(role, request):
    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


def test_every_app_that_names_a_rule_also_answers_it_for_many():
    from governance.diary.registry import _READERS

    assert set(_READERS) == set(_MANY_READERS)
    assert "decisions.adoptioncase" in _MANY_READERS and "meetings.minutesversion" in _MANY_READERS


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_readable_ids_agree_with_may_read_for_every_object(role, request):
    user = _user(role, request)
    for label in sorted(_MANY_READERS):
        model = _model(label)
        objects = list(model._default_manager.all())
        assert objects or label.startswith("meetings."), f"no {label} in the demo data"
        gone = max((o.pk for o in objects), default=0) + 1000
        ids = {o.pk for o in objects} | {gone}
        expected = {o.pk for o in objects if reader_for(label)(user, o)}
        assert set(many_reader_for(label)(user, ids)) == expected, f"{role}: {label}"


@pytest.fixture
def some_secret(db):
    """Every third entry marked secret (through the service), so the rules decide titles as well as files."""
    entries = list(DiaryEntry.objects.select_related("case__series__organisation").order_by("pk"))
    for entry in entries[::3]:
        services.diary_entry_secrecy_set(
            acting_user=None, entry=entry, secrecy="OSL 21 kap. 7 §", public_title="Sekretessbelagd handling"
        )
    return len(entries)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["ksl_officer", "danderyd_clerk", "ekero_clerk", "chair", "member"])
def test_the_rows_decide_each_entry_as_one_at_a_time_in_fixed_queries(
    role, request, some_secret, django_assert_max_num_queries
):
    user = _user(role, request)
    entries = list(queries.register_entries(queries.RegisterFilter()))
    assert len(entries) == some_secret > 50
    with django_assert_max_num_queries(8):  # the user's organisations, bodies, permissions; one per model
        rows = queries.visible_rows(user, entries)
    secret_read = 0
    for row in rows:
        entry = DiaryEntry.objects.select_related("case__series__organisation").get(pk=row.entry.pk)
        readable = permissions.can_read_entry(user, entry)
        assert row.readable == readable, entry.diary_number
        assert row.title == (entry.title if readable else entry.public_title)
        assert row.downloadable == (bool(entry.file_name) and permissions.can_download_entry(user, entry))
        secret_read += entry.is_secret and readable
    hidden = sum(1 for row in rows if not row.readable)
    assert hidden or role == "ksl_officer"  # the clerks and the members do not read every secret entry
    assert secret_read or role in ("chair", "member")  # the clerks read their own secret entries
