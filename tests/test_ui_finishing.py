"""Finished downloads and measured facts in the studio, as plain functions: a result's and a Library song's
finished copy, the original untouched, loudness facts stored with the song, and no way to another visitor's file."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
import soundfile as sf

from musicgen import loudness
from musicgen.library import Library
from musicgen.results import build_music_result
from musicgen.ui import cards, finishing
from musicgen.ui import library_events as le
from musicgen.ui import library_view as lv
from musicgen.ui.handlers import keep_result
from musicgen.ui.library_service import LibraryService
from musicgen.ui.session import Session

RATE = 44100


def song_pcm(seconds: float = 4.0, level: float = 0.1, silence_s: float = 0.5) -> bytes:
    """16-bit stereo pcm: silence, a quiet chord, silence (what the API sends for format 'pcm')."""
    t = np.arange(int(seconds * RATE)) / RATE
    chord = level * (np.sin(2 * np.pi * 220 * t) + np.sin(2 * np.pi * 330 * t)) / 2
    pad = np.zeros(int(silence_s * RATE))
    mono = np.concatenate([pad, chord, pad])
    return (np.stack([mono, mono], axis=1) * 32767).astype("<i2").tobytes()


def result(pcm: bytes | None = None):
    return build_music_result(
        pcm or song_pcm(), fmt="pcm", model="music-2.6", extra_info=None, requested_rate=RATE, trace_id="t-1"
    )


@pytest.fixture
def service(tmp_path):
    svc = LibraryService(Library(tmp_path / "data"))
    yield svc
    svc.close()


def visitor() -> Session:
    session = Session()
    le.ensure_owner(None, session)
    return session


def digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_every_result_is_measured_once_and_the_library_keeps_the_facts(service):
    session = visitor()
    kept = keep_result(session, "song", {"prompt": "p"}, result(), service)
    # A chord of two sines at 0.05 each, both channels: its loudness and peak, measured from the file as kept.
    samples, rate = loudness.decode(kept.path.read_bytes())
    assert kept.metadata["loudness_lufs"] == pytest.approx(loudness.integrated_lufs(samples, rate), abs=0.05)
    assert kept.metadata["true_peak_dbtp"] == pytest.approx(20 * np.log10(np.abs(samples).max()), abs=0.1)
    card = cards.metadata_card(kept.metadata)
    assert f"{kept.metadata['loudness_lufs']:.1f} LUFS".replace("-", "−") in card and "dBTP" in card

    entry = service.library.get(session.owner_token, kept.metadata["library_id"])
    assert entry.metadata["loudness_lufs"] == kept.metadata["loudness_lufs"]  # stored with the song ...
    assert entry.metadata["true_peak_dbtp"] == kept.metadata["true_peak_dbtp"]
    shown = lv.detail_html(entry)  # ... and shown again from the store
    assert f"{entry.metadata['loudness_lufs']:.1f} LUFS".replace("-", "−") in shown


def test_a_song_saved_before_measuring_existed_shows_a_dash():
    card = cards.metadata_card({"duration_s": 3.0, "format": "mp3"})
    assert "Loudness</dt><dd>–" in card and "True peak</dt><dd>–" in card


def test_a_finished_copy_of_a_result_is_levelled_trimmed_faded_and_named_so(service):
    session = visitor()
    kept = keep_result(session, "song", {}, result(), service)
    before = digest(kept.path)
    path, summary = finishing.finish_result(str(kept.path), "streaming", True, 0.5, 1.0, session)
    finished = Path(path)
    assert finished.name == kept.path.stem + "-finished-14LUFS.wav"  # pcm results are WAV, and so is the copy
    assert finished.is_relative_to(session.files_dir()) and finished != kept.path
    samples, rate = loudness.decode(finished.read_bytes())
    assert loudness.integrated_lufs(samples, rate) == pytest.approx(-14.0, abs=0.5)
    assert loudness.true_peak_dbtp(samples) <= -1.0
    assert len(samples) / rate == pytest.approx(4.0, abs=0.01)  # the 0.5 s of silence at each end went
    assert np.abs(samples[:10]).max() < 0.01 and np.abs(samples[-10:]).max() < 0.01  # faded in and out
    assert "−14.0 LUFS" in summary and "trimmed 0.50 s at the start and 0.50 s at the end" in summary
    assert "fade in 0.5 s, fade out 1 s" in summary and "The original is unchanged" in summary
    assert digest(kept.path) == before  # the result on the page is untouched ...
    entry = service.library.get(session.owner_token, kept.metadata["library_id"])
    assert hashlib.sha256(entry.audio_path.read_bytes()).hexdigest() == entry.sha256  # ... and so is the library's


@pytest.mark.parametrize(
    "where",
    ["other visitor", "server file", "traversal", "folder"],
)
def test_a_path_outside_the_visitors_own_folder_is_refused(service, where, tmp_path):
    session, other = visitor(), visitor()
    theirs = keep_result(other, "song", {}, result(), service).path
    mine = keep_result(session, "song", {}, result(), service).path
    path = {
        "other visitor": str(theirs),
        "server file": str(service.library.data_dir / "index.db"),
        "traversal": str(mine.parent / ".." / other.id / theirs.name),
        "folder": str(mine.parent),
    }[where]
    with pytest.raises(gr.Error, match="not one of your results"):
        finishing.finish_result(path, "streaming", True, 0, 0, session)


def test_nothing_to_finish_and_bad_settings_say_what_to_do(service):
    session = visitor()
    with pytest.raises(gr.Error, match="generate one first"):
        finishing.finish_result(None, "streaming", True, 0, 0, session)
    kept = keep_result(session, "song", {}, result(), service)
    with pytest.raises(gr.Error, match="fade_out_s.*less than or equal to 30"):
        finishing.finish_result(str(kept.path), "streaming", True, 0, 45, session)
    with pytest.raises(gr.Error, match="fade_in_s \\+ fade_out_s"):
        finishing.finish_result(str(kept.path), "streaming", True, 20, 20, session)  # longer than the 4 s song
    with pytest.raises(gr.Error, match="loudness"):
        finishing.finish_result(str(kept.path), "louder", True, 0, 0, session)


def test_a_library_song_is_finished_from_the_store_for_its_owner_only(service):
    session, other = visitor(), visitor()
    kept = keep_result(session, "song", {}, result(), service)
    entry_id = kept.metadata["library_id"]
    path, summary = finishing.finish_entry(service, entry_id, "broadcast", False, 0, 0, session)
    samples, rate = loudness.decode(Path(path).read_bytes())
    assert Path(path).name.endswith("-finished-23LUFS.wav") and Path(path).is_relative_to(session.files_dir())
    assert loudness.integrated_lufs(samples, rate) == pytest.approx(-23.0, abs=0.5)
    assert len(samples) / rate == pytest.approx(5.0, abs=0.01)  # trim was off: the silent ends stay
    with pytest.raises(gr.Error, match="not in your library"):
        finishing.finish_entry(service, entry_id, "broadcast", False, 0, 0, other)
    with pytest.raises(gr.Error, match="select a song"):
        finishing.finish_entry(service, "", "broadcast", False, 0, 0, session)


def test_an_mp3_result_gets_an_mp3_finished_copy(service, tmp_path):
    session = visitor()
    buf = io.BytesIO()
    pcm = np.frombuffer(song_pcm(), dtype="<i2").reshape(-1, 2) / 32768  # float: libsndfile's mp3 writer wants it
    sf.write(buf, pcm, RATE, format="MP3", bitrate_mode="CONSTANT", compression_level=0.2)  # 256 kbps
    mp3 = build_music_result(
        buf.getvalue(), fmt="mp3", model="music-2.6", extra_info=None, requested_rate=RATE, trace_id="t-2"
    )
    kept = keep_result(session, "song", {}, mp3, service)
    path, summary = finishing.finish_result(str(kept.path), "streaming", True, 0, 0, session)
    assert path.endswith("-finished-14LUFS.mp3") and sf.info(path).format == "MP3" and "MP3, 44.1 kHz" in summary
    samples, rate = loudness.decode(Path(path).read_bytes())
    assert loudness.integrated_lufs(samples, rate) == pytest.approx(-14.0, abs=0.5)
    assert loudness.true_peak_dbtp(samples) <= -1.0
    kbps = Path(path).stat().st_size * 8 / (len(samples) / rate) / 1000
    assert 230 < kbps < 280  # the original's 256 kbps


def test_the_button_waits_for_a_song_and_a_new_song_clears_the_old_copy():
    button, file, summary = finishing.finish_ready(None)
    assert button["interactive"] is False and file is None and summary == cards.FINISH_HINT
    assert finishing.finish_ready("/some/result.mp3")[0]["interactive"] is True


def test_each_panel_keeps_one_finished_copy_on_disk(service):
    session = visitor()
    kept = keep_result(session, "song", {}, result(), service)
    first, _ = finishing.finish_result(str(kept.path), "broadcast", False, 0, 0, session, slot="song-download")
    second, _ = finishing.finish_result(str(kept.path), "streaming", False, 0, 0, session, slot="song-download")
    other, _ = finishing.finish_result(str(kept.path), "streaming", False, 0, 0, session, slot="cover-download")
    assert not Path(first).exists() and Path(second).exists() and Path(other).exists()  # replaced, per panel
    assert len(list((session.files_dir() / "finished").rglob("*.wav"))) == 2
