"""The demo logins `make run` prints name each role by its Swedish label, never by its key."""

import io
import json

from django.core.management import call_command

from governance.parties.choices import Role
from tests.conftest import FIXTURES


def test_demo_logins_print_swedish_role_labels(db):
    out = io.StringIO()
    call_command("load_origo", stdout=out)
    text = out.getvalue()
    assert (
        "ksl          Karin Lindqvist, Utredare, Kommunförbundet Stockholms Län – roller: KSL-handläggare"
        in text
    )
    assert "– roller: Kommunens handläggare, Kontaktperson" in text
    assert "– roller: Värdadministratör" in text
    assert (
        "ordforande   Sara Stålhammar, Avdelningschef, socialförvaltningen, Stockholms stad – ingen roll; "
        "platser: ordförande i Styrgruppen för Origo, ordförande i Referensforum för Origo"
    ) in text
    assert "utomstaende  Olle Öst – ingen roll\n" in text
    for key in (*Role.values, "chair", "steering_group"):
        assert key not in text


def test_every_persona_role_is_a_known_role():
    personas = json.loads((FIXTURES / "personas.json").read_text())["personas"]
    for persona in personas:
        for key in persona.get("roles", []):
            assert key in Role.values, (persona["username"], key)
