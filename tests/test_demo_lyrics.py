"""Offline demo engine: lyric parsing, syllables, song plans and the template lyric writer."""

from __future__ import annotations

import re

from musicgen.demo import DemoRenderer, write_lyrics
from musicgen.demo.lyrics_text import TAGS, normalise_tag, parse_lyrics, word_syllables
from musicgen.demo.plan import build_plan

MUSIC_TAGS = set(TAGS.values())


def tags_of(text: str) -> list[str]:
    return re.findall(r"^\[([^\]]+)\]\s*$", text, flags=re.MULTILINE)


def test_tags_normalise_across_spellings() -> None:
    cases = {
        "Verse 2": "verse",
        "pre-chorus": "pre_chorus",
        "PRE CHORUS": "pre_chorus",
        "Build-up": "build_up",
        "Instrumental": "inst",
        "Drop": "chorus",
        "Breakdown": "break",
        "post chorus": "post_chorus",
        "Hook": "hook",
        "solo": "solo",
        "Spoken": None,
    }
    for tag, kind in cases.items():
        assert normalise_tag(tag) == kind, tag


def test_sections_play_in_written_order_with_bars_from_lines() -> None:
    lyrics = "[Intro]\n[Verse 1]\na\nb\nc\n[Pre-Chorus]\nd\n[Chorus]\ne\nf\n[Solo]\n[Bridge]\ng\n[outro]"
    plan = build_plan({"prompt": "pop", "lyrics": lyrics})
    kinds = [(s.kind, s.bars, len(s.lines)) for s in plan.sections]
    assert kinds == [
        ("intro", 4, 0),
        ("verse", 6, 3),
        ("pre_chorus", 4, 1),
        ("chorus", 4, 2),
        ("solo", 8, 0),
        ("bridge", 4, 1),
        ("outro", 4, 0),
    ]
    starts = [s.start_s for s in plan.sections]
    assert starts == sorted(starts) and starts[0] == 0
    chorus, verse, bridge = (next(s for s in plan.sections if s.kind == k) for k in ("chorus", "verse", "bridge"))
    assert chorus.progression != verse.progression and bridge.progression != verse.progression


def test_untagged_lyrics_are_one_verse_and_no_lyrics_get_default_plan() -> None:
    plan = build_plan({"prompt": "folk", "lyrics": "just some words\nand more words"})
    assert [s.kind for s in plan.sections] == ["intro", "verse", "outro"]
    instrumental = build_plan({"prompt": "house", "is_instrumental": True})
    kinds = [s.kind for s in instrumental.sections]
    assert kinds[0] == "intro" and kinds[-1] == "outro" and "chorus" in kinds and "bridge" in kinds
    assert 90 <= instrumental.duration_s <= 150 and not instrumental.has_vocals


def test_mood_words_choose_mode() -> None:
    for prompt in ("sad song", "melancholic piano", "dark and moody", "lonely longing", "heartbreak"):
        assert build_plan({"prompt": prompt}).mode == "minor", prompt
    for prompt in ("happy song", "upbeat and bright", "sunny summer", "joyful uplifting"):
        assert build_plan({"prompt": prompt}).mode == "major", prompt
    assert build_plan({"prompt": "a song in F# minor"}).key == "F#"


def test_syllables_by_vowel_groups() -> None:
    counts = {"love": 1, "little": 2, "beautiful": 3, "tonight": 2, "fire": 1, "the": 1, "rhythm": 1, "日本語": 3}
    for word, count in counts.items():
        assert len(word_syllables(word)) == count, word


def test_parse_keeps_lines_before_first_tag() -> None:
    sections = parse_lyrics("hello\n[Chorus]\nworld\n\n[Weird tag] spoken words")
    assert [(s.kind, s.lines) for s in sections] == [("verse", ("hello",)), ("chorus", ("world", "spoken words"))]


def test_writer_uses_prompt_words_with_valid_tags() -> None:
    prompt = "A melancholic indie folk song about a lighthouse keeper and the winter sea, 92 bpm"
    result = write_lyrics(prompt)
    assert set(result) == {"song_title", "style_tags", "lyrics"}
    text = result["lyrics"].lower()
    assert sum(word in text for word in ("lighthouse", "keeper", "winter", "sea")) >= 3
    assert "about" not in text.split()
    tags = tags_of(result["lyrics"])
    assert tags == ["Intro", "Verse", "Pre Chorus", "Chorus", "Verse", "Chorus", "Bridge", "Chorus", "Outro"]
    assert set(tags) <= MUSIC_TAGS
    assert len(result["lyrics"]) <= 3500
    style = result["style_tags"].split(", ")
    assert "folk" in style and "melancholic" in style and "92 bpm" in style
    assert result["song_title"]
    assert write_lyrics(prompt) == result
    assert write_lyrics(prompt + " and stars") != result


def test_writer_keeps_title_and_output_can_be_sung() -> None:
    result = write_lyrics("happy summer road trip", title="Open Road")
    assert result["song_title"] == "Open Road"
    plan = build_plan({"prompt": "happy summer road trip", "lyrics": result["lyrics"]})
    assert plan.has_vocals and plan.sections[0].kind == "intro" and plan.duration_s <= 360


def test_edit_mode_keeps_lines_fills_gaps_and_adds_chorus() -> None:
    original = "[verse 1]\nI wrote this line myself\nand this one too\n[Pre-Chorus]\n[outro]\ngoodbye"
    result = write_lyrics("summer party", mode="edit", lyrics=original)
    text = result["lyrics"]
    assert "I wrote this line myself\nand this one too" in text and "goodbye" in text
    tags = tags_of(text)
    assert tags == ["Verse", "Pre Chorus", "Chorus", "Outro"]
    pre_chorus = text.split("[Pre Chorus]\n")[1].split("\n\n")[0]
    assert pre_chorus.strip()  # the empty section was filled


def test_renderer_lyrics_endpoint_shape() -> None:
    result = DemoRenderer().lyrics({"prompt": "rainy city night, r&b", "mode": "write_full_song", "title": ""})
    assert result["song_title"] and result["style_tags"].startswith("r&b")
    assert all(tag in MUSIC_TAGS for tag in tags_of(result["lyrics"]))
