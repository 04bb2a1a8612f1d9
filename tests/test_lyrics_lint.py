"""The lyrics linter: each rule names its line, each one-click fix mends what it names and loses no word, and only
what the request would be refused for blocks; the CLI prints it before any call."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from musicgen import cli
from musicgen.lyrics_lint import FIXES, apply_fix, blocking, lint, nearest_tag
from musicgen.requests import MusicRequest, same_line_tags, unknown_tags

pytestmark = pytest.mark.usefixtures("no_provider_env")


def rules(lyrics: str, **kw) -> list[tuple[int, str]]:
    return [(f.line, f.rule) for f in lint(lyrics, **kw)]


def words(text: str) -> list[str]:
    return text.replace("[", " ").replace("]", " ").split()


def test_clean_lyrics_have_no_findings():
    assert lint("[Intro]\n\n[Verse]\nStreetlights flicker\n\n[Chorus]\nNight breeze sighs\n[Outro]") == []
    assert lint("") == [] and lint("  \n ") == []


def test_text_after_a_tag_is_found_on_its_line_and_blocks_only_on_music3():
    lyrics = "[Verse]\nfine\n[Chorus] Take it easy\nla"
    minimax, music3 = lint(lyrics), lint(lyrics, backend="music3")
    assert [(f.line, f.rule, f.blocks) for f in minimax] == [(3, "same-line", False)]
    assert "may be sung in the wrong place or dropped" in minimax[0].message
    assert [(f.line, f.rule, f.blocks) for f in music3] == [(3, "same-line", True)]
    assert "MiniMax-Music3 drops the words after [Chorus]" in music3[0].message
    assert music3[0].text().startswith("line 3: ")


def test_the_same_line_fix_moves_the_words_and_loses_none():
    lyrics = "[Verse] Walking down\r\nthe street\n[Chorus][Hook] Take it easy"
    assert lint(lyrics)[0].fix == "tags-on-own-lines"
    fixed = apply_fix("tags-on-own-lines", lyrics)
    assert fixed == "[Verse]\nWalking down\nthe street\n[Chorus][Hook]\nTake it easy"
    assert same_line_tags(fixed) == [] and words(fixed) == words(lyrics)
    assert rules(fixed) == []


@pytest.mark.parametrize(
    ("tag", "near"),
    [("Chrous", "Chorus"), ("Vers", "Verse"), ("Final Chorus", "Chorus"), ("guitar solo", "Solo"), ("Brige", "Bridge")],
)
def test_unknown_tags_name_the_nearest_known_one(tag, near):
    assert nearest_tag(tag) == near
    (finding,) = [f for f in lint(f"[Verse]\nla\n[{tag}]\nla la") if f.rule == "unknown-tag"]
    assert finding.line == 3 and f"did you mean [{near}]?" in finding.message and finding.fix == "tag-names"


def test_an_unknown_tag_with_nothing_near_lists_the_known_ones_and_offers_no_fix():
    (finding,) = lint("[Refrain]\nla la")
    assert finding.rule == "unknown-tag" and "use one of [Intro] [Verse]" in finding.message and finding.fix == ""


def test_an_unknown_tag_blocks_exactly_where_the_request_is_refused():
    alone, inline = "[Chrous]\nla la", "[Chrous] la la"
    assert blocking(lint(alone)) and not blocking(lint(inline))
    with pytest.raises(ValidationError, match="unknown structure tag"):
        MusicRequest.song("pop", alone)
    MusicRequest.song("pop", inline)  # accepted (and sung, which the same-line warning says)


def test_the_tag_name_fix_corrects_only_what_it_can_and_keeps_the_rest():
    lyrics = "[Chrous]\nla la\n[Refrain]\noh\n[Final Chorus] go"
    fixed = apply_fix("tag-names", lyrics)
    assert fixed == "[Chorus]\nla la\n[Refrain]\noh\n[Chorus] go"
    assert unknown_tags(fixed) == ["Refrain"]


def test_bracketed_and_parenthesised_words_in_a_line_will_be_sung():
    found = lint("[Verse]\nI walk alone (alone)\n[whispered] come back\nno brackets here\n(guitar solo)")
    sung = [(f.line, f.message.split(" is not")[0]) for f in found if f.rule == "sung-brackets"]
    assert sung == [(2, "(alone)"), (5, "(guitar solo)")]
    assert ("unknown-tag", 3) in {(f.rule, f.line) for f in found}  # a bracket at a line's start is a tag
    assert all(not f.blocks and not f.fix for f in found if f.rule == "sung-brackets")  # direction or lyric: ask


def test_empty_sung_sections_are_found_but_instrumental_ones_are_not():
    lyrics = "[Intro]\n\n[Verse]\n\n[Chorus]\nla la\n[Solo]\n[Bridge]\n[Outro]"
    assert [(line, r) for line, r in rules(lyrics) if r == "empty-section"] == [
        (3, "empty-section"),
        (8, "empty-section"),
    ]
    assert rules("[Verse]\nla\n[Chorus]") == [(3, "empty-section")]  # the last section too
    assert not blocking(lint(lyrics))


def test_lyrics_too_long_for_the_length_cap_name_the_line_where_the_song_stops():
    verse = "\n".join(["Walking down the empty street tonight again"] * 4)  # 7 words: 3.5 s a line
    lyrics = f"[Intro]\n[Verse]\n{verse}\n[Chorus]\n{verse}"  # 8 s intro + 8 lines × 3.5 s = 36 s
    assert not [f for f in lint(lyrics, backend="music3", max_seconds=60) if f.rule == "too-long-for-cap"]
    (finding,) = [f for f in lint(lyrics, backend="music3", max_seconds=20) if f.rule == "too-long-for-cap"]
    assert finding.line == 6 and "about 36 s" in finding.message and "cap is 20 s" in finding.message
    assert not finding.blocks  # the model returns what it made up to the cap
    assert not [f for f in lint(lyrics, max_seconds=20) if f.rule == "too-long-for-cap"]  # MiniMax takes no cap


def test_lyrics_over_the_models_limit_block_naming_the_line_where_the_limit_is_crossed():
    line = "x" * 99
    song = "\n".join([line] * 36)  # 36 × 100 - 1 = 3599 > 3500: crossed on line 36
    (finding,) = lint(song)
    assert (finding.rule, finding.line, finding.blocks) == ("over-limit", 36, True)
    assert "3599 characters" in finding.message and "at most 3500" in finding.message
    cover = "\n".join([line] * 11)  # 1099 > 1000: a cover's limit, crossed on line 11
    assert [(f.rule, f.line) for f in lint(cover, cover=True)] == [("over-limit", 11)]
    assert lint(cover) == []


def test_every_fix_has_a_button_label_and_keeps_clean_lyrics_as_they_are():
    clean = "[Verse]\nla la\n\n[Chorus]\noh"
    for name, (label, _fn) in FIXES.items():
        assert label and apply_fix(name, clean) == clean


def test_cli_prints_warnings_with_line_numbers_and_still_makes_the_song(tmp_path, capsys):
    out = tmp_path / "s.mp3"
    code = cli.main(["--provider", "demo", "song", "--prompt", "folk", "--lyrics", "[Verse]\\nla (la)\\n[Chorus]",
                     "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0 and out.stat().st_size > 0
    assert "warning: lyrics line 2: (la) is not a tag" in err and "warning: lyrics line 3: [Chorus] has no" in err


def test_cli_refuses_a_blocking_finding_before_any_call(monkeypatch, capsys):
    made = []
    monkeypatch.setattr(cli, "_client", lambda provider: made.append(provider))
    assert cli.main(["song", "--prompt", "folk", "--lyrics", "[Chrous]\\nla la"]) == 2
    assert "error: lyrics line 1: unknown tag [Chrous]: did you mean [Chorus]?" in capsys.readouterr().err
    assert made == []
