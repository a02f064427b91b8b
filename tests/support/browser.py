"""A real headless Chromium for the browser tests: Debian's `chromium` (installed by `make test`
through tests/setup/install-chromium.sh), driven by Playwright's Python package."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def skip_without_chromium() -> None:
    """Skip the calling test module where chromium is missing (never on CI, where it must be there)."""
    if CHROMIUM is None and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)


@contextmanager
def chromium():
    """A browser context in a fresh profile, closed and removed afterwards."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "chromium is missing: tests/setup/install-chromium.sh installs it"
    profile = tempfile.mkdtemp(prefix="rkg-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                       args=FLAGS, viewport={"width": 1200, "height": 900})
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)
