"""Two simultaneous transitions on PostgreSQL: one wins, the other gets the conflict (make test-services)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from governance.core.models import AuditEvent
from governance.core.transitions import TransitionConflict
from governance.decisions import services

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_clerks_start_the_same_case_at_once():
    from django.contrib.auth import get_user_model

    from governance.agreements.models import Agreement
    from governance.parties.models import Organisation

    agreement = Agreement.objects.create(
        slug="samtidigt",
        title="T",
        short_title="T",
        period_start="2030-01-01",
        period_end="2031-12-31",
        host=Organisation.objects.get(is_host=True),
    )
    recommendation = services.recommendation_create_and_send(
        acting_user=None,
        replay=True,
        slug="samtidigt",
        title="Samtidigt",
        board_decision_date=dt.date(2025, 1, 1),
        registration_number="",
        agreement=agreement,
        answer_deadline=dt.date(2025, 6, 1),
        recipients=[Organisation.objects.get(municipality_code="0162")],
    )
    case = recommendation.cases.get()
    clerk = get_user_model().objects.get(username="danderyd")
    before = AuditEvent.objects.count()
    results: dict[str, object] = {}
    first_has_lock = threading.Event()

    def first():
        try:
            with transaction.atomic():
                services.case_start_preparation(acting_user=clerk, case=case, expected_state="received")
                first_has_lock.set()
                time.sleep(1.0)  # hold the row lock while the second tries
            results["first"] = "ok"
        except Exception as exc:
            results["first"] = exc
        finally:
            connections.close_all()

    def second():
        first_has_lock.wait(5)
        try:
            services.case_start_preparation(acting_user=clerk, case=case, expected_state="received")
            results["second"] = "ok"
        except Exception as exc:
            results["second"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results["first"] == "ok"
    assert isinstance(results["second"], TransitionConflict), results["second"]
    case.refresh_from_db()
    assert case.state == "in_preparation"
    assert (
        AuditEvent.objects.filter(pk__gt=0, action="case.preparation_started", object_id=str(case.pk)).count()
        == 1
    )
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_clicks_on_send_create_the_cases_once():
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from governance.agreements.models import Agreement
    from governance.core import calendar
    from governance.decisions.models import AdoptionCase
    from governance.parties.models import Organisation

    today = calendar.today()
    agreement = Agreement.objects.create(
        slug="dubbelklick",
        title="T",
        short_title="T",
        period_start=dt.date(today.year + 3, 1, 1),
        period_end=dt.date(today.year + 4, 12, 31),
        host=Organisation.objects.get(is_host=True),
    )
    ksl = get_user_model().objects.get(username="ksl")
    draft = services.recommendation_create(
        acting_user=ksl,
        title="Dubbelklick",
        board_decision_date=today,
        agreement=agreement,
        answer_deadline=today + dt.timedelta(days=60),
        decision_points="att ingå avtalet.",
        recipients=list(Organisation.objects.filter(municipality_code__in=["0162", "0125"])),
    )
    before = AuditEvent.objects.exclude(action__startswith="diary_").count()
    results: dict[str, object] = {}
    start = threading.Barrier(2)

    def click(name):
        start.wait(5)
        try:
            services.recommendation_send(acting_user=ksl, recommendation=draft)
            results[name] = "ok"
        except Exception as exc:
            results[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    outcomes = sorted(results.values(), key=lambda value: value != "ok")
    assert outcomes[0] == "ok" and isinstance(outcomes[1], ValidationError), results
    assert AdoptionCase.objects.filter(recommendation=draft).count() == 2
    sent = AuditEvent.objects.filter(action="recommendation.sent", object_id=str(draft.pk))
    assert sent.count() == 1 and AuditEvent.objects.exclude(action__startswith="diary_").count() == before + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_clicks_on_send_consultation_create_it_once(monkeypatch):
    import uuid

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from governance.core import calendar
    from governance.decisions import tasks
    from governance.decisions.models import ConsultationRound
    from governance.parties.models import Organisation

    queued = []
    monkeypatch.setattr(tasks.consultation_notify, "delay", queued.append)  # the mail task, not the broker
    ksl = get_user_model().objects.get(username="ksl")
    data = {
        "request_key": str(uuid.uuid4()),
        "title": "Remiss vid dubbelklick",
        "registration_number": "KSL/26/0888",
        "deadline": (calendar.today() + dt.timedelta(days=20)).isoformat(),
        "questions": "Ställer ni er bakom förslaget?",
        "recipients": [org.pk for org in Organisation.objects.filter(municipality_code__in=["0162", "0125"])],
    }
    before = AuditEvent.objects.exclude(action__startswith="diary_").count()
    results: dict[str, object] = {}
    start = threading.Barrier(2)

    def click(name):
        client = Client()
        client.force_login(ksl)
        start.wait(5)
        try:
            results[name] = client.post(reverse("decisions:consultation_create"), data)
        except Exception as exc:
            results[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    consultation = ConsultationRound.objects.get(registration_number="KSL/26/0888")
    page = reverse("decisions:compilation", args=[consultation.slug])
    assert all(getattr(r, "status_code", r) == 302 and r["Location"] == page for r in results.values()), (
        results
    )
    assert ConsultationRound.objects.filter(title="Remiss vid dubbelklick").count() == 1
    created = AuditEvent.objects.filter(action="consultation.created", object_id=str(consultation.pk))
    assert (
        created.count() == 1 and AuditEvent.objects.exclude(action__startswith="diary_").count() == before + 1
    )
    assert queued == [consultation.pk]  # the contact persons are mailed once
