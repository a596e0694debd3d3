"""Headless Chromium (Debian's ``chromium``, installed by ``make test``) driven by Playwright.

Pages are opened with no network: every request that is not for a local file or for a server on
127.0.0.1 is refused and recorded, so a test can assert that a page fetched nothing from outside.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import Page, Route, sync_playwright

# The flags this project runs Chromium with (no sandbox: tests run as root in CI containers).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_PREFIXES = ("file://", "data:", "blob:", "http://127.0.0.1", "about:")


@dataclass
class BrowserTab:
    """A page, and what went wrong in it: script errors, console errors, refused requests."""

    page: Page
    script_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    refused_requests: list[str] = field(default_factory=list)


def chromium_path() -> str:
    """Debian's chromium, which ``make test`` installs; a clear failure when it is missing."""
    path = shutil.which("chromium")
    assert path, "chromium is not installed: run `make test`, which installs it (apt-get)"
    return path


@contextmanager
def chromium_tab(width: int = 1280, height: int = 900) -> Iterator[BrowserTab]:
    """A tab in a fresh headless Chromium profile that can reach only local pages."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            tab = BrowserTab(page)
            page.on("pageerror", lambda error: tab.script_errors.append(str(error)))
            page.on(
                "console",
                lambda message: message.type == "error" and tab.console_errors.append(message.text),
            )

            def only_local(route: Route) -> None:
                if route.request.url.startswith(LOCAL_PREFIXES):
                    route.continue_()
                else:
                    tab.refused_requests.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            yield tab
        finally:
            browser.close()
