"""Per-visitor state: which backend answers, the badge, analyses kept for reuse, and the error adapter."""

from __future__ import annotations

import gradio as gr
from pydantic import ValidationError

from musicgen import errors, providers
from musicgen.requests import MusicRequest
from musicgen.results import CoverAnalysis
from musicgen.ui import cards, events
from musicgen.ui.errors import to_gr_error
from musicgen.ui.session import FEATURE_TTL_S, Session, backend_label


def test_no_key_anywhere_means_the_demo_engine(monkeypatch):
    monkeypatch.delenv("MINIMAX_API_KEY", raising=False)
    s = Session()
    assert s.provider() == providers.DEMO
    assert "Backend: Demo engine — synthesized locally, not by MiniMax" in events.badge(s)


def test_a_key_makes_minimax_the_default_and_the_demo_stays_one_click_away(monkeypatch):
    monkeypatch.delenv("MINIMAX_API_KEY", raising=False)
    s = Session()
    session, backend, badge = events.set_key("  sk-visitor  ", s)
    assert session.api_key == "sk-visitor" and backend == providers.MINIMAX
    assert "Backend: MiniMax (global)" in badge and "sk-visitor" not in badge
    _, badge = events.set_backend(providers.DEMO, s)
    assert s.provider() == providers.DEMO and "Demo engine" in badge
    _, badge = events.set_region("cn", events.set_backend(providers.MINIMAX, s)[0])
    assert "MiniMax (mainland China)" in badge


def test_the_servers_key_is_used_when_the_visitor_gives_none(monkeypatch):
    monkeypatch.setenv("MINIMAX_API_KEY", "server-key")
    s = Session()
    assert s.provider() == providers.MINIMAX and backend_label(s) == "MiniMax (global) · server key"


def test_the_session_never_shows_its_key():
    assert "sk-hidden" not in repr(Session(api_key="sk-hidden"))


def test_an_analysis_is_reused_for_a_day_then_forgotten():
    s = Session()
    a = CoverAnalysis("fid", "[Verse]\nla", (), 8.0)
    s.remember("sha256:x", a, now=1000.0)
    assert s.recall("sha256:x", now=1000.0 + 3600) is a
    assert s.recall("sha256:x", now=1000.0 + FEATURE_TTL_S) is None


def test_each_visitor_gets_their_own_files_folder():
    a, b = Session(), Session()
    assert a.files_dir() != b.files_dir() and a.files_dir() == a.files_dir()
    Session.cleanup(a)
    assert not a.files_dir().exists() or not any(a.files_dir().iterdir())


def test_forgotten_result_folders_are_pruned_after_a_day(tmp_path):
    import os

    from musicgen.ui.session import prune_files

    old, fresh = Session(), Session()
    old_dir, fresh_dir = old.files_dir(), fresh.files_dir()
    os.utime(old_dir, (1.0, 1.0))
    prune_files()
    assert not old_dir.exists() and fresh_dir.exists()


def test_rate_limit_message_names_the_wait_and_the_trace():
    exc = errors.RateLimitError("rate limit exceeded(RPM)", retry_after=12, code=1002, trace_id="t-1")
    err = to_gr_error(exc)
    assert isinstance(err, gr.Error) and err.title == "Rate limited: wait 12 s"
    assert "Wait about 12 s" in err.message and "trace id t-1" in err.message


def test_validation_errors_list_each_field():
    try:
        MusicRequest.song("pop", "la", audio_setting={"sample_rate": 1, "bitrate": 2})
    except ValidationError as exc:
        err = to_gr_error(exc)
    assert "audio_setting.sample_rate" in err.message and "audio_setting.bitrate" in err.message


def test_counters_turn_red_outside_the_limits():
    assert "mg-count-bad" not in cards.counter("Style", "", 10, 300)
    assert "mg-count-bad" in cards.counter("Style", "short", 10, 300)
    assert "mg-count-bad" in cards.counter("Prompt", "x" * 2001, 0, 2000)
    assert "unknown tag [Refrain]" in events.lyrics_counter("[Refrain]\nla")


def test_tags_are_added_on_their_own_line():
    assert events.append_tag("", "Verse") == "[Verse]\n"
    assert events.append_tag("[Verse]\nla la\n\n", "Chorus") == "[Verse]\nla la\n[Chorus]\n"
