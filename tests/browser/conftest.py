"""Browser tests: Playwright for Python driving Debian's Chromium against Django's live server.

Every page a test opens is checked twice when the test ends: no message in the browser console
at error level, and no serious or critical accessibility violation found by axe.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.browser)
    if shutil.which(CHROMIUM):
        return
    reason = f"Chromium is missing at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI"):
        # In CI the browser tests must run: .ci/run installs Chromium.
        raise pytest.UsageError(f"CI: {reason}")
    print(f"\nBrowser tests skipped: {reason}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageChecker:
    """Collects the console errors and accessibility violations of every page visited."""

    def __init__(self, page):
        self.page = page
        self.console_errors = []
        self.accessibility = []
        self.axe = Axe()
        self._running = False
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("load", lambda _page: self.check_accessibility())

    def _on_console(self, message):
        if message.type != "error":
            return
        if message.location.get("url") == self.page.url and "status of" in message.text:
            # The page itself answered with an error status (a test opening a 404 on purpose
            # asserts that status itself); a missing CSS, JS or image still fails.
            return
        self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def check_accessibility(self):
        if self.page.is_closed():
            return
        if not self.page.url.startswith("http") or self.page.url.endswith(".pdf"):
            return
        if self._running:
            # The "load" handler and the fixture's final check can overlap (axe refuses to run
            # twice at once): let the run in progress finish; it checks the same page.
            while self._running and not self.page.is_closed():
                self.page.wait_for_timeout(50)
            return
        self._running = True
        try:
            results = self._run_axe()
        finally:
            self._running = False
        if results is None:
            return
        for violation in results.response["violations"]:
            if violation["impact"] in SERIOUS:
                targets = [node["target"] for node in violation["nodes"]]
                self.accessibility.append(
                    f"{self.page.url}: {violation['id']} ({violation['impact']}) {targets}"
                )

    def _run_axe(self):
        from playwright.sync_api import Error

        for _attempt in range(3):
            try:
                return self.axe.run(self.page)
            except Error as error:
                # A navigation replaced the page under axe: check the new one once it loaded.
                if "context was destroyed" not in str(error) or self.page.is_closed():
                    raise
                self.page.wait_for_load_state("load")
        return None


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    checker = PageChecker(page)
    page.checker = checker
    yield page
    if not page.is_closed():
        checker.check_accessibility()
    context.close()
    assert not checker.console_errors, f"Browser console errors: {checker.console_errors}"
    assert not checker.accessibility, "Accessibility violations:\n" + "\n".join(
        checker.accessibility
    )


@pytest.fixture
def sign_in(page):
    """Sign in through the sign-in page, as a person does."""

    def _sign_in(identifier, password):
        page.goto("/compte/connexion/")
        page.get_by_label("E-mail, N° d'Assurance Maladie ou N° FINESS").fill(identifier)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="VOUS CONNECTER").click()
        page.wait_for_load_state()
        return page

    return _sign_in
