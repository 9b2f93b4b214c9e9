"""What `make run` serves: DEBUG off unless asked for, static files and the favicon without DEBUG, the
port, no inline styles (the CSP allows only the site's own style sheets), and a Swedish admin."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def _setting(name, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="governance.settings")
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run(  # noqa: S603  (our own interpreter and a fixed script)
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.mark.skipif((ROOT / ".env").exists(), reason="a local .env may set DJANGO_DEBUG")
def test_debug_is_off_unless_asked_for():
    assert _setting("DEBUG") == "False"
    assert _setting("DEBUG", DJANGO_DEBUG="true") == "True"


def test_local_hosts_are_allowed_by_default():
    hosts = _setting("ALLOWED_HOSTS")
    assert "'127.0.0.1'" in hosts and "'localhost'" in hosts


def test_static_files_and_favicon_are_served_with_debug_off(db, settings):
    assert settings.DEBUG is False
    client = Client()
    css = client.get("/static/css/site.css")
    assert css.status_code == 200
    assert b"--brand" in b"".join(css.streaming_content)
    assert client.get("/static/favicon.svg").status_code == 200
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}


def test_pages_link_the_favicon(client, db):
    text = client.get("/").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text
    svg = (ROOT / "static" / "favicon.svg").read_text()
    assert svg.startswith("<svg") and len(svg) < 2000


# ``style="…"`` in markup, ``style=\"…`` in Python that writes markup, ``attrs={"style": …}`` on a widget;
# not python-docx's ``table.style = "Table Grid"``.
STYLE_ATTRIBUTE = re.compile(r"""\bstyle=\\?["'{]|["']style["']\s*:""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def _offences(path: Path, base: Path = ROOT) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if STYLE_ATTRIBUTE.search(line) or STYLE_ELEMENT.search(line):
            found.append(f"{path.relative_to(base)}:{number}")
    return found


def test_no_inline_styles_in_templates_or_python_that_writes_html():
    """The CSP is ``style-src 'self'``: a browser ignores ``style="…"`` and ``<style>``. Use a class in
    static/css/site.css (SVG presentation attributes such as ``fill=`` are allowed)."""
    files = [p for p in (ROOT / "templates").rglob("*.html")]
    files += [p for p in (ROOT / "governance").rglob("*.py") if "migrations" not in p.parts]
    offences = [hit for path in files for hit in _offences(path)]
    assert offences == []


def test_the_scan_finds_an_inline_style(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '<p style="color: red">x</p>\n<style>p {}</style>\n<rect fill="#000"/>\n'
        'attrs={"style": "width: 3em"}\ntable.style = "Table Grid"\n',
        encoding="utf-8",
    )
    assert _offences(sample, base=tmp_path) == [f"sample.html:{n}" for n in (1, 2, 4)]


def test_make_run_takes_the_port():
    procfile = (ROOT / "Procfile.dev").read_text()
    assert "runserver 127.0.0.1:${WEB_PORT:-8000}" in procfile
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    result = subprocess.run(  # noqa: S603  (make -n only prints the commands)
        [make, "-n", "run", "PORT=8001"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "WEB_PORT=8001" in result.stdout and "honcho start -f Procfile.dev" in result.stdout
    assert "http://127.0.0.1:8001" in result.stdout


# Field names whose automatic label is already Swedish.
SWEDISH_AS_IS = {"organisation", "person", "version", "status"}


@pytest.mark.parametrize("app_label", ["core", "parties", "agreements", "documents"])
def test_admin_fields_have_swedish_labels(app_label):
    missing = []
    for model in apps.get_app_config(app_label).get_models():
        if model not in admin.site._registry:
            continue
        fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
        for field in fields:
            if field.primary_key or field.name in SWEDISH_AS_IS:
                continue
            if str(field.verbose_name) == field.name.replace("_", " "):
                missing.append(f"{model.__name__}.{field.name}")
            if field.help_text and re.search(r"\be\.g\.|\bthe\b", str(field.help_text)):
                missing.append(f"{model.__name__}.{field.name} (help text)")
    assert missing == []


def test_admin_site_is_swedish(admin_client):
    text = admin_client.get("/admin/").text
    assert "Origo samverkan – administration" in text
    assert "Django administration" not in text and "Site administration" not in text


def test_no_select_offers_djangos_dashes(client, ksl_officer, danderyd_clerk):
    """An empty choice reads "– välj –" (or says what empty means), never Django's "---------"."""
    from django.urls import reverse

    from governance.core import calendar
    from governance.decisions.models import AdoptionCase

    pages = {
        ksl_officer: [
            reverse("agreements:create"),
            reverse("decisions:recommendation_create"),
            reverse("decisions:consultation_create"),
        ],
        danderyd_clerk: [
            reverse("decisions:consultation_answer", args=[f"origo-remiss-{calendar.today().year}"]),
            reverse(
                "decisions:case",
                args=[
                    AdoptionCase.objects.get(
                        recommendation__slug=f"origo-{calendar.today().year + 1}",
                        organisation__municipality_code="0162",
                    ).pk
                ],
            ),
        ],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200 and "---------" not in response.text, url
