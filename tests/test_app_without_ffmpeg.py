"""`python app.py` on a machine without ffmpeg: streamed songs and instrumentals still arrive and play live."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import soundfile as sf
from ui_fixtures import CHROMIUM, LAPTOP, LYRICS, api_client, free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """The studio as `python app.py` starts it, with a PATH on which neither ffmpeg nor ffprobe exists."""
    bare = tmp_path_factory.mktemp("bare-path")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINIMAX_", "AIMLAPI_"))}
    env.update(PATH=str(bare), GRADIO_SERVER_PORT=str(port), GRADIO_SERVER_NAME="127.0.0.1",
               MUSICGEN_DATA_DIR=str(tmp_path_factory.mktemp("data")))  # fmt: skip
    probe = "import shutil; print(shutil.which('ffmpeg'), shutil.which('ffprobe'))"
    assert subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True).stdout.split() == [
        "None",
        "None",
    ]
    log = tmp_path_factory.mktemp("log") / "studio.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail(f"the studio did not start without ffmpeg:\n{log.read_text()}")
        yield url, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize(
    "api_name,args",
    [("/song", {"prompt": "Indie folk", "lyrics": LYRICS}), ("/instrumental", {"prompt": "Lo-fi hip hop, 84 BPM"})],
)
def test_streamed_songs_arrive_live_without_ffmpeg(studio, tmp_path, api_name, args):
    url, log = studio
    client = api_client(url, tmp_path)
    job = client.submit(**args, stream=True, api_name=api_name)
    _, song, download, meta, info = job.result(timeout=120)
    seconds = sf.info(download).duration
    assert song == download and seconds > 5 and seconds == pytest.approx(meta["duration_s"], abs=0.5)
    live = next(out[0] for out in job.outputs() if isinstance(out[0], str) and "<audio" in out[0])
    src = re.search(r'src="([^"]+)"', live).group(1)
    assert httpx.get(url + src, timeout=10).content == Path(download).read_bytes()
    assert "ffmpeg" not in log.read_text().lower() and "Traceback" not in log.read_text()


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")
def test_a_visitor_hears_the_song_live_without_ffmpeg(studio, browser, artifacts):
    url, log = studio
    page = browser.new_page(viewport=LAPTOP)
    page.goto(url)
    page.get_by_text("Indie folk · Streetlights flicker").click()
    page.wait_for_function("() => document.querySelector('#song-lyrics textarea').value.includes('Streetlights')")
    page.locator("#song-generate").click()
    page.wait_for_function("() => document.querySelector('#song-live audio')?.currentTime > 0.5", timeout=30_000)
    page.locator("#song-download a").first.wait_for(timeout=60_000)
    assert "error" not in page.locator("#song-info").inner_text().lower()
    assert page.locator(".toast-body").count() == 0  # no error, no warning
    page.screenshot(path=str(artifacts / "live-without-ffmpeg-laptop.png"), full_page=True)
    page.close()
    assert "ffmpeg" not in log.read_text().lower()


def test_nothing_in_the_project_installs_ffmpeg():
    deps = (ROOT / "scripts" / "system-deps.sh").read_text()
    packages = (ROOT / "packages.txt").read_text() if (ROOT / "packages.txt").exists() else ""
    assert "ffmpeg" not in packages and not re.search(r"want=\([^)]*ffmpeg", deps)
