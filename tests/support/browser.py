"""A real browser for the web clients' end-to-end tests: Playwright (the Python package) driving
Debian's Chromium (``apt-get install chromium``; never ``playwright install``), axe-core (bundled
by ``axe-playwright-python``) for accessibility, screenshots into ``test-artifacts/screenshots/``."""
import json
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
ACCESSIBILITY = ARTIFACTS / "accessibility"
BLOCKING_IMPACTS = ("serious", "critical")
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

    def __init__(self, browser, base_url, width=1280, height=900):
        self.context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                           locale="tr-TR", timezone_id="Europe/Istanbul")
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.console_errors = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message):
        if message.type == "error" and not message.text.startswith(EXPECTED_CONSOLE):
            self.console_errors.append(message.text)

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / (name + ".png")), full_page=True)

    def assert_accessible(self, name):
        """axe-core on the page as it is now: no serious or critical violation (all are saved)."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
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
