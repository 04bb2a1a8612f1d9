"""Shared fixtures. Telemetry is switched off before anything imports gradio or huggingface_hub."""

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_TEMP_DIR", tempfile.mkdtemp(prefix="musicgen_gradio_tests_"))
# The song library of every app the tests build goes to a throwaway folder, never the real per-user data dir.
os.environ["MUSICGEN_DATA_DIR"] = tempfile.mkdtemp(prefix="musicgen_data_tests_")
for _name in ("MUSICGEN_LIBRARY_MAX_MB", "MUSICGEN_LIBRARY_MAX_BYTES", "MUSICGEN_LIBRARY_MAX_AGE_DAYS",
              "MUSICGEN_LIBRARY_SHARE_ALL", "SPACE_ID"):  # fmt: skip
    os.environ.pop(_name, None)
# Tests never read the developer's real key or host; only the live smoke test gets them, when asked for by name.
_LIVE = os.environ.get("MUSICGEN_LIVE") == "1"
_LIVE_KEY = os.environ.pop("MINIMAX_API_KEY", None)
_LIVE_BASE_URL = os.environ.pop("MINIMAX_BASE_URL", None)
os.environ.pop("AIMLAPI_KEY", None)
os.environ.pop("AIMLAPI_BASE_URL", None)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests save screenshots: $MUSICGEN_ARTIFACTS, default /tmp/musicgen-artifacts."""
    path = Path(os.environ.get("MUSICGEN_ARTIFACTS", "/tmp/musicgen-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole run (each test opens its own pages or contexts)."""
    from playwright.sync_api import sync_playwright
    from ui_fixtures import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def clock():
    """Virtual time for the AI/ML API's task timing: polling tests run in milliseconds."""
    from musicgen.aimlapi.standin import VirtualClock

    return VirtualClock()


@pytest.fixture
def sleeps(clock):
    """A sleep for the client that records every wait it asks for, in order, and advances the virtual clock."""
    log = []

    def sleep(s):
        log.append(round(s, 3))
        clock.sleep(s)

    sleep.log = log
    return sleep


@pytest.fixture(scope="session")
def live_minimax():
    """(key, base_url) for the live smoke test; skips unless MINIMAX_API_KEY and MUSICGEN_LIVE=1 are set."""
    if not (_LIVE and _LIVE_KEY):
        pytest.skip("live smoke test: set MINIMAX_API_KEY and MUSICGEN_LIVE=1 to run it (it is billed)")
    return _LIVE_KEY, _LIVE_BASE_URL


@pytest.fixture
def no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No backend's key or host in the environment for one test (it sets its own with monkeypatch)."""
    for name in (
        "MINIMAX_API_KEY", "MINIMAX_BASE_URL", "AIMLAPI_KEY", "AIMLAPI_BASE_URL", "MUSIC3_BASE_URL", "MUSIC3_API_KEY",
        "MUSIC3_MODEL", "MUSIC3_CONCURRENCY", "MUSIC3_READ_TIMEOUT", "MUSICGEN_ALLOW_VISITOR_SERVERS",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def a11y():
    """The axe audit (tests/a11y.py): `a11y.assert_no_new_violations(page, state)` in any browser test.

    After the run, once every state the issue lists was audited, a known Gradio violation that never occurred fails
    the run: its entry in KNOWN_GRADIO is stale.
    """
    from a11y import AxeAudit

    audit = AxeAudit()
    yield audit
    stale = audit.stale_known()
    assert not stale, f"known Gradio violations no longer seen, remove them from tests/a11y.py: {stale}"
