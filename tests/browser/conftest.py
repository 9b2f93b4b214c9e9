"""Browser journeys (issue 14): Playwright's sync API drives Debian's Chromium against pytest-django's
``live_server`` (a thread of this process, on the test database with the Origo data loaded).

Run with ``make test-browser`` (``pytest -m browser tests/browser``); the default ``make test`` deselects the
``browser`` marker (``addopts`` in pyproject.toml), so it needs no Chromium. The Playwright browser download
is never used: ``CHROMIUM_PATH`` (default: ``chromium`` on PATH, e.g. /usr/bin/chromium from apt).

Every page a journey reaches goes through ``PageAudit.check``: a screenshot under var/screenshots/, the
scroll width at narrow widths, axe-core (WCAG 2.1 A/AA) and the console errors since the previous check.
The findings are collected and asserted at the end of the journey, one line per page, width and problem,
so one run lists everything that fails instead of stopping at the first page.
"""

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__browser-tests__/axe.min.js"  # answered by the test context's route, never by the site
SCREENSHOTS = ROOT / "var" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}
NARROW = 375
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
PASSWORD = json.loads((ROOT / "fixtures" / "personas.json").read_text())["password"]


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (Debian's, never Playwright's download)."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)")
    if not AXE_JS.exists():
        pytest.skip("axe-core is not installed: run npm ci (make test-browser does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's async-safety check would then refuse
    # the ORM calls the tests make (SynchronousOnlyOperation). The tests' own queries are synchronous and
    # safe. Set only while the browser runs (Django reads it at each call), never for the rest of the suite.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(autouse=True)
def _worker_inline(monkeypatch):
    """The Celery tasks the journeys queue run their bodies in the process at once, as a worker would (the
    live server thread commits, ``on_commit`` calls ``delay``): the memo is rendered before its page reloads,
    the recommendation's notifications and the mails go out."""
    from governance.decisions import tasks as decision_tasks
    from governance.documents import tasks as document_tasks

    for task in (
        decision_tasks.recommendation_notify,
        decision_tasks.consultation_notify,
        document_tasks.document_render,
    ):
        monkeypatch.setattr(task, "delay", lambda pk, task=task: task.run(pk))


@dataclass
class PageAudit:
    """Checks every page a journey reaches; collects the findings and writes screenshots and a report."""

    page: object
    journey: str
    width: int
    findings: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)
    _console: list[str] = field(default_factory=list)
    _step: int = 0

    def __post_init__(self):
        def on_console(message):
            if message.type == "error":
                location = message.location or {}
                self._console.append(
                    f"console error on {urlsplit(self.page.url).path}: {message.text}"
                    + (f" ({location.get('url', '')}:{location.get('lineNumber', '')})" if location else "")
                )

        self.page.on("console", on_console)
        self.page.on("pageerror", lambda error: self._console.append(f"page error: {error}"))

    @property
    def label(self) -> str:
        return f"{self.journey} @ {self.width}px"

    def check(self, step: str) -> None:
        """Screenshot, width, axe and console of the page as it is now, named ``step``."""
        page = self.page
        page.wait_for_load_state("load")
        self._step += 1
        name = f"{self.journey}-{self.width}-{self._step:02d}-{step}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        path = urlsplit(page.url).path
        where = f"[{self.width}px] {step} {path}"
        record = {"step": step, "path": path, "width": self.width, "screenshot": f"{name}.png"}

        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        record["scrollWidth"], record["innerWidth"] = scroll_width, inner_width
        if self.width <= NARROW and scroll_width > inner_width:
            widest = page.evaluate(WIDEST_ELEMENTS_JS, inner_width)
            self.findings.append(
                f"{where}: horizontal scroll, scrollWidth {scroll_width} > innerWidth {inner_width}"
                f" (widest: {'; '.join(widest)})"
            )

        # axe.min.js is injected from the site's own origin (AXE_URL, answered by the context's route): the
        # CSP (script-src 'self') allows it, so the CSP stays on and its violations reach the console check.
        page.add_script_tag(url=AXE_URL)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        record["axe"] = []
        for violation in result["violations"]:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            impact = violation.get("impact") or "unknown"
            record["axe"].append({"id": violation["id"], "impact": impact, "nodes": len(targets)})
            line = (
                f"{where}: axe {violation['id']} ({impact}, {len(targets)} node(s)): {violation['help']}"
                f" -> {', '.join(targets[:8])}{' …' if len(targets) > 8 else ''}"
            )
            (self.findings if impact in FAILING_IMPACTS else self.warnings).append(line)

        # Two elements with one id: a label (or aria-labelledby/-describedby) then names the wrong field.
        duplicates = page.evaluate(DUPLICATE_IDS_JS)
        record["duplicate_ids"] = duplicates
        if duplicates:
            self.findings.append(
                f"{where}: duplicate id(s) referenced by a label or aria attribute: {', '.join(duplicates)}"
            )

        record["console"] = list(self._console)
        self.findings.extend(f"{where}: {entry}" for entry in self._console)
        self._console.clear()
        self.pages.append(record)

    def write_report(self) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.journey}-{self.width}-report.json"
        path.write_text(
            json.dumps(
                {"pages": self.pages, "findings": self.findings, "warnings": self.warnings},
                ensure_ascii=False,
                indent=1,
            )
        )
        return path

    def assert_clean(self) -> None:
        """Fail with every finding of the journey (the minor axe results are printed as warnings)."""
        report = self.write_report()
        if self.warnings:
            print(f"\n{self.label}: axe moderate/minor (not failing):\n  " + "\n  ".join(self.warnings))
        assert not self.findings, (
            f"{self.label}: {len(self.findings)} finding(s) (report: {report}):\n  "
            + "\n  ".join(self.findings)
        )


#: Ids used by more than one element and referenced by a label's for, aria-labelledby or aria-describedby.
DUPLICATE_IDS_JS = """
() => {
  const count = {};
  for (const el of document.querySelectorAll('[id]')) count[el.id] = (count[el.id] || 0) + 1;
  const referenced = new Set();
  for (const label of document.querySelectorAll('label[for]')) referenced.add(label.htmlFor);
  for (const el of document.querySelectorAll('[aria-labelledby], [aria-describedby]')) {
    for (const attr of ['aria-labelledby', 'aria-describedby']) {
      for (const id of (el.getAttribute(attr) || '').split(/\\s+/)) if (id) referenced.add(id);
    }
  }
  return Object.keys(count).filter(id => count[id] > 1 && referenced.has(id)).map(id => `#${id} (x${count[id]})`);
}
"""


#: The three widest elements that stick out to the right of the viewport, as "tag#id.class right=NNN".
WIDEST_ELEMENTS_JS = """
innerWidth => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > innerWidth + 1) out.push([r.right, el]);
  }
  out.sort((a, b) => b[0] - a[0]);
  const seen = new Set(), names = [];
  for (const [right, el] of out) {
    let name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.classList.length ? '.' + [...el.classList].join('.') : '');
    if (seen.has(name)) continue;
    seen.add(name); names.push(`${name} right=${Math.round(right)}`);
    if (names.length === 3) break;
  }
  return names;
}
"""


@pytest.fixture(params=sorted(WIDTHS.values()), ids=lambda size: f"{size[0]}px")
def viewport(request):
    width, height = request.param
    return {"width": width, "height": height}


@pytest.fixture
def browser_page(chromium, viewport, live_server):
    """A fresh context (own cookies) at the test's width, with the site's address as base URL."""
    # Not bypass_csp: the site's Content-Security-Policy (script-src 'self') would refuse an inline axe, so
    # the test serves axe.min.js under the site's own origin instead (the route below; no such URL exists in
    # the product). The CSP stays in force and a blocked inline style or script is a console error here.
    context = chromium.new_context(
        viewport=viewport, base_url=live_server.url, accept_downloads=True, locale="sv-SE"
    )
    context.route(
        f"{live_server.url}{AXE_URL}",
        lambda route: route.fulfill(path=AXE_JS, content_type="application/javascript"),
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def audit(request, browser_page, viewport):
    journey = re.sub(r"^test_", "", request.node.originalname).replace("_", "-")
    audit = PageAudit(page=browser_page, journey=journey, width=viewport["width"])
    yield audit
    audit.write_report()
    # The page as the journey left it (where it stopped, when it failed).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SCREENSHOTS / f"{journey}-{viewport['width']}-last.png"), full_page=True)


def log_in(page, username: str, audit: PageAudit | None = None) -> None:
    """Through the real login form, as a user does (the form is checked too when ``audit`` is given)."""
    page.goto("/")
    if "/logga-in/" not in page.url:
        reveal(page, page.get_by_role("link", name="Logga in").first).click()
    page.get_by_role("heading", name="Logga in", level=1).wait_for()
    if audit is not None:
        audit.check("login")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
    assert "/logga-in/" not in page.url, f"{username} could not log in: {page.url}"


def reveal(page, locator):
    """``locator``, after opening the collapsed menu if it is hidden there (on a phone)."""
    if not locator.is_visible():
        toggle = page.get_by_role("button", name=re.compile(r"^Meny", re.I))
        if toggle.count():
            toggle.first.click()
    return locator


def nav(page, name: str) -> None:
    """Follow a link of the main menu."""
    reveal(page, page.get_by_role("navigation").get_by_role("link", name=name, exact=True).first).click()
    page.wait_for_load_state("load")


def log_out(page) -> None:
    reveal(page, page.get_by_role("button", name="Logga ut")).click()
    page.wait_for_load_state("load")
