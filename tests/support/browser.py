"""A real browser for the web clients' end-to-end tests: Playwright (the Python package) driving
Debian's Chromium (``apt-get install chromium``; never ``playwright install``), axe-core (bundled
by ``axe-playwright-python``) for accessibility, screenshots into ``test-artifacts/screenshots/``.

The fixtures ``browser`` (one Chromium per test module) and ``open_tab`` (tabs of their own,
closed after the test, which fails on any console error) are imported by the browser test modules;
``sign_in`` and ``fill_application`` are the steps they share."""
import json
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
ACCESSIBILITY = ARTIFACTS / "accessibility"
BLOCKING_IMPACTS = ("serious", "critical")
# The widths every page is saved at: a desktop and a phone.
SCREENSHOT_WIDTHS = (1280, 390)
# Chromium reports every non-2xx fetch on the console; the pages expect 404 and 422 answers.
EXPECTED_CONSOLE = ("Failed to load resource",)


def chromium_path():
    if not os.path.isfile(CHROMIUM):
        pytest.fail("Chromium not found at {} (CHROMIUM_PATH): install Debian's package, "
                    "`apt-get install -y chromium` (.ci/run does); the browser tests never download one"
                    .format(CHROMIUM), pytrace=False)
    return CHROMIUM


def launch():
    """(playwright, browser): one headless Chromium; stop with ``close(...)``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -e '.[test]'", pytrace=False)
    executable = chromium_path()
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                         args=["--no-sandbox", "--disable-dev-shm-usage"])
    return playwright, browser


def close(playwright, browser):
    browser.close()
    playwright.stop()


class Tab:
    """A page in its own browser context (its own sessionStorage and localStorage), recording
    console errors, CSP violations included."""

    # The portal's service worker precaches every file of the portal when it installs, in each new
    # context: only the tests of what it does (offline) let it in, the rest spare the gateway that.
    def __init__(self, browser, base_url, width=1280, height=900, service_workers="block"):
        self.context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                           locale="tr-TR", timezone_id="Europe/Istanbul",
                                           service_workers=service_workers)
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.console_errors = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message):
        if message.type == "error" and not message.text.startswith(EXPECTED_CONSOLE):
            self.console_errors.append(message.text)

    def screenshot(self, name, full_page=True):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / (name + ".png")), full_page=full_page)

    def screenshots(self, name, check=True, full_page=True):
        """The page at each of SCREENSHOT_WIDTHS (``<name>-1280.png``, ``<name>-390.png``), each
        width checked by axe too unless ``check`` is false; nothing may be wider than the phone's
        screen. The tab gets its width back after. ``full_page`` false: what the screen shows (a
        modal dialog's backdrop covers only that)."""
        size = self.page.viewport_size
        try:
            for width in SCREENSHOT_WIDTHS:
                self.page.set_viewport_size({"width": width, "height": size["height"]})
                self.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
                overflow = self.page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= width, "{} is {} px wide at {} px".format(name, overflow, width)
                shot = "{}-{}".format(name, width)
                self.screenshot(shot, full_page=full_page)
                if check:
                    self.assert_accessible(shot)
        finally:
            self.page.set_viewport_size(size)

    def assert_accessible(self, name):
        """axe-core on the page as it is now: no serious or critical violation (all are saved).
        axe's 560 KB script goes into a page once, not at every check of it."""
        from axe_playwright_python.base import AXE_SCRIPT
        from axe_playwright_python.sync_playwright import DEFAULT_OPTIONS, AxeResults

        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(AXE_SCRIPT)
        results = AxeResults(self.page.evaluate("options => axe.run(document, options)", DEFAULT_OPTIONS))
        ACCESSIBILITY.mkdir(parents=True, exist_ok=True)
        (ACCESSIBILITY / (name + ".json")).write_text(json.dumps(results.response["violations"], indent=1))
        blocking = [violation for violation in results.response["violations"]
                    if violation["impact"] in BLOCKING_IMPACTS]
        assert not blocking, "{}: {}".format(name, results.generate_report())
        return results.response["violations"]

    def check(self, name):
        """Screenshot and accessibility check of the page as it is now."""
        self.screenshot(name)
        return self.assert_accessible(name)

    def close(self):
        self.context.close()
        assert not self.console_errors, self.console_errors


# --- fixtures and shared steps -----------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    playwright, chromium = launch()
    yield chromium
    close(playwright, chromium)


@pytest.fixture
def open_tab(browser, running_system):
    """``open_tab(width=, height=, service_workers="allow")``: a new Tab on the session's system; all
    closed after the test."""
    tabs = []

    def open_(**options):
        tab = Tab(browser, running_system.url, **options)
        tabs.append(tab)
        return tab

    yield open_
    for tab in tabs:
        tab.close()


def sign_in(tab, username, lands_on, password=None):
    """Signs ``username`` in on the console's sign-in page and waits for the page it lands on."""
    from tests.support.samples import PASSWORD

    page = tab.page
    page.goto("/konsol")
    page.fill("#f-username", username)
    page.fill("#f-password", password or PASSWORD)
    page.click("#login-form button[type=submit]")
    # the path only: the queue writes its filters into the query string as it loads
    page.wait_for_function("path => location.pathname === path", arg=lands_on)


def fill_application(page, national_id_value="10000000146", subject="Sağlık ocağı randevusu",
                     description="Sağlık ocağından iki haftadır randevu alamıyorum."):
    """Fills the application form (portal or desk) for Ankara/Çankaya, health."""
    page.wait_for_selector("#f-province option[value='06']", state="attached")
    page.fill("#f-applicant-national_id", national_id_value)
    page.fill("#f-applicant-first_name", "Ayşe")
    page.fill("#f-applicant-last_name", "Yılmaz")
    page.fill("#f-applicant-phone", "0532 123 45 67")
    page.select_option("#f-kind", "complaint")
    page.select_option("#f-category", "health")
    page.select_option("#f-province", "06")
    page.select_option("#f-district", "Çankaya")
    page.fill("#f-subject", subject)
    page.fill("#f-description", description)
    page.check("#f-privacy_notice_acknowledged")
