"""The lyrics linter for the legacy music-01, whose rules differ: no section tags at all, `##` only as the pair
around all the lyrics (accompaniment), at most 200 characters counted as sent. Each rule names its line, each fix
loses no word, only the limit blocks, and the CLI says it all before any request (the upload included)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from musicgen import cli
from musicgen.aimlapi.standin import ProxyStandIn, tone
from musicgen.legacy import LYRICS_MAX, Music01Request, sent_lyrics
from musicgen.lyrics_lint import MUSIC01_FIXES, apply_fix, blocking, lint_music01
from musicgen.ui.legacy_handlers import lyrics_check

pytestmark = pytest.mark.usefixtures("no_provider_env")
KEY = "music01-lint-secret-321"


def rules(lyrics: str, accompaniment: bool = False) -> list[tuple[int, str, bool]]:
    return [(f.line, f.rule, f.blocks) for f in lint_music01(lyrics, accompaniment)]


def words(text: str) -> list[str]:
    return text.replace("[", " ").replace("]", " ").split()


def test_clean_music01_lyrics_have_no_findings():
    assert lint_music01("Streetlights flicker\nthe night breeze sighs\n\nPushing the wooden door") == []
    assert lint_music01("##la la la##") == [] and lint_music01("##la la la##", accompaniment=True) == []
    assert lint_music01("") == [] and lint_music01(" \n ") == []


def test_every_tag_is_found_on_its_line_even_a_known_one_and_only_warns():
    # The song models' tags mean nothing to music-01: [Chorus] is no better than [Refrain] here.
    found = lint_music01("[Verse]\nla la\n[Chorus] oh oh\nthe end [Outro]")
    assert [(f.line, f.rule, f.blocks, f.fix) for f in found] == [
        (1, "no-tags", False, "drop-tags"),
        (3, "no-tags", False, "drop-tags"),
        (4, "no-tags", False, "drop-tags"),
    ]
    assert found[0].text() == (
        "line 1: music-01 takes no section tags: [Verse] may be sung as words (a blank line makes a pause)"
    )
    # The song models' own rules (same-line text, unknown and empty sections) do not apply to music-01.
    assert {r for _, r, _ in rules("[Chrous] la\n[Chorus]")} == {"no-tags"}


def test_the_tag_fix_keeps_every_word_and_leaves_one_blank_line_as_the_pause_between_sections():
    lyrics = "[Intro]\n[Verse]\nStreetlights flicker\n\n[Chorus]\n[Chorus] Take it easy\n[Outro]"
    fixed = apply_fix("drop-tags", lyrics)
    assert fixed == "Streetlights flicker\n\nTake it easy"
    assert [w for w in words(lyrics) if w not in {"Intro", "Verse", "Chorus", "Outro"}] == words(fixed)
    assert lint_music01(fixed) == []
    assert apply_fix("drop-tags", "la\r\n[Bridge]\r\noh") == "la\n\noh"


def test_words_in_parentheses_will_be_sung():
    assert rules("Take it easy (ooh)\n(whispered) goodbye") == [
        (1, "sung-brackets", False),
        (2, "sung-brackets", False),
    ]
    assert "(ooh) is not a tag: it will be sung" in lint_music01("Take it easy (ooh)")[0].message


def test_stray_accompaniment_marks_are_found_and_the_fix_keeps_the_pair():
    assert rules("##la la\nla ## la") == [(1, "stray-marks", False), (2, "stray-marks", False)]
    assert rules("la la##") == [(1, "stray-marks", False)]  # one end only asks for nothing
    assert apply_fix("drop-marks", "##la la\nla ## la") == "la la\nla  la"
    assert apply_fix("drop-marks", "##la\n## oh##") == "##la\n oh##"  # the pair around it all stays
    assert lint_music01(apply_fix("drop-marks", "##la\n## oh##")) == []


@pytest.mark.parametrize("accompaniment", [False, True])
def test_the_limit_blocks_exactly_where_the_request_is_refused(accompaniment):
    for n in range(LYRICS_MAX - 6, LYRICS_MAX + 3):
        lyrics = "l" * n
        blocked = bool(blocking(lint_music01(lyrics, accompaniment)))
        try:
            Music01Request(lyrics=sent_lyrics(lyrics, accompaniment), refer_voice="v")
            refused = False
        except ValidationError:
            refused = True
        assert blocked == refused, n
    assert not blocking(lint_music01("l" * (LYRICS_MAX - 4), True))
    assert blocking(lint_music01("l" * (LYRICS_MAX - 3), True))


def test_the_limit_names_the_line_where_it_is_crossed_counting_the_marks():
    lyrics = "\n\n" + "la la la\n" * 30  # the leading blank lines are trimmed before sending
    assert len(sent_lyrics(lyrics)) == 269
    (f,) = blocking(lint_music01(lyrics))
    assert (f.line, f.rule) == (25, "over-limit")  # character 200 of what is sent is on line 25 of the box
    assert f.message == "lyrics have 269 characters; music-01 takes at most 200: cut from here"
    lyrics = "l" * 99 + "\n" + "l" * 99  # 199 characters, 203 with ## … ##
    assert not blocking(lint_music01(lyrics))
    (f,) = blocking(lint_music01(lyrics, accompaniment=True))
    assert f.line == 2 and "203 characters with ## … ##" in f.message


def test_every_music01_fix_has_a_button_label_and_keeps_clean_lyrics_as_they_are():
    clean = "##Streetlights flicker\n\nthe night breeze sighs##"
    for name, (label, _fn) in MUSIC01_FIXES.items():
        assert label and apply_fix(name, clean) == clean


def test_the_studio_report_shows_findings_and_only_the_fixes_that_apply():
    report, tags, marks = lyrics_check("[Verse]\nla la (ooh)", False)
    assert "Warning · line 1" in report and "Warning · line 2" in report and "Must fix" not in report
    assert tags["visible"] is True and marks["visible"] is False
    report, tags, marks = lyrics_check("l" * 198, True)
    assert "Lyrics: 202 / 200 characters · with ## … ##" in report and "Must fix · line 1" in report
    assert "mg-count-bad" in report and not tags["visible"] and not marks["visible"]
    report, *_ = lyrics_check("la la", True)
    assert "mg-count-bad" not in report  # counting the marks is said in words, not flagged as an error


@pytest.fixture
def proxy(monkeypatch):
    with ProxyStandIn(api_key=KEY, audio_s=1.0) as s:
        monkeypatch.setenv("MINIMAX_API_KEY", KEY)
        monkeypatch.setenv("MINIMAX_BASE_URL", s.url)
        yield s


@pytest.mark.parametrize(
    ("lyrics", "flags", "said"),
    [
        ("l" * 201, [], "error: lyrics line 1: lyrics have 201 characters; music-01 takes at most 200"),
        ("l" * 197, ["--accompaniment"], "error: lyrics line 1: lyrics have 201 characters with ## … ##"),
        ("  ", [], "error: --lyrics or --lyrics-file is required for music-01 (1–200 characters)"),
    ],
)
def test_cli_refuses_music01_lyrics_over_the_limit_before_any_request_even_the_upload(
    proxy, capsys, tmp_path, lyrics, flags, said
):
    ref = tmp_path / "ref.wav"
    ref.write_bytes(tone(12.0, "wav", 8000, 1))
    argv = ["music01", "--reference", str(ref), "--lyrics", lyrics, *flags, "--out", str(tmp_path / "m.mp3")]
    assert cli.main(argv) == cli.EXIT_USAGE
    assert said in capsys.readouterr().err
    assert proxy.requests == [] and not (tmp_path / "m.mp3").exists()


def test_cli_prints_music01_warnings_with_their_lines_and_still_sings(proxy, capsys, tmp_path):
    out, ref = tmp_path / "m.mp3", tmp_path / "ref.wav"
    ref.write_bytes(tone(12.0, "wav", 8000, 1))
    argv = ["music01", "--reference", str(ref), "--lyrics", "[Verse]\\nla la (ooh)", "--out", str(out)]
    assert cli.main(argv) == 0
    err = capsys.readouterr().err
    assert "warning: lyrics line 1: music-01 takes no section tags: [Verse]" in err
    assert "warning: lyrics line 2: (ooh) is not a tag" in err
    assert out.stat().st_size > 0
    assert [r for r in proxy.requests if r["method"] == "POST"][-1]["json"]["lyrics"] == "[Verse]\nla la (ooh)"


def test_an_empty_music01_lyrics_box_is_said_to_be_required_only_while_empty():
    from musicgen.ui.required import MUSIC01_LYRICS, note

    said = note(MUSIC01_LYRICS, "")
    assert "Required: write the lyrics music-01 sings (1–200 characters)" in said and "mg-count-bad" in said
    assert note(MUSIC01_LYRICS, "la la") == {"__type__": "update"}  # left as the lyrics check has it
