"""The cost page keeps its table and chart per process under a key of the allocation and the user's rights:
the same page twice is the same HTML, a change to the figures is seen at once, and one user's links never
reach another's page."""

import re

import pytest
from django.urls import reverse

from governance.parties.services import population_import

pytestmark = pytest.mark.django_db
URL = reverse("agreements:costs", args=["origo"])


def _table(html: str) -> str:
    return re.search(r'<table class="costs stack">.*?</table>', html, re.S).group(0)


def test_the_same_table_twice_and_new_figures_at_once(client, ksl_officer):
    client.force_login(ksl_officer)
    first = client.get(URL, {"year": 2013})
    assert first.status_code == 200
    assert "45\xa0612" in _table(first.text)  # Danderyd, seed 001
    assert _table(client.get(URL, {"year": 2013}).text) == _table(first.text)

    population_import(
        acting_user=None,  # the system, as manage.py import_population
        text="municipality_code,municipality,reference_date,population\n0162,Danderyd,2011-12-31,41799\n",
    )
    changed = _table(client.get(URL, {"year": 2013}).text)
    assert changed != _table(first.text)
    assert "41\xa0799" in changed and "45\xa0612" not in changed


def test_one_users_links_never_reach_anothers_page(client, ksl_officer, danderyd_clerk):
    client.force_login(ksl_officer)
    ksl = _table(client.get(URL, {"year": 2013}).text)
    client.force_login(danderyd_clerk)
    danderyd = _table(client.get(URL, {"year": 2013}).text)
    assert ksl.count("Ändra fördelning") != danderyd.count("Ändra fördelning")
