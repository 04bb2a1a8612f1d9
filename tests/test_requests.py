"""Both sides of every limit and every cross-field rule; messages name the field and the limit."""

import pytest
from pydantic import ValidationError

from musicgen.requests import (
    AudioSetting,
    CoverPreprocessRequest,
    LyricsRequest,
    MusicRequest,
    describe_validation_error,
    normalize_tags,
)

LYR = "[Verse]\nhello there"


def rejects(match: str, **kw) -> str:
    with pytest.raises(ValidationError) as info:
        MusicRequest(**kw)
    text = describe_validation_error(info.value)
    assert match in text, text
    return text


def test_song_prompt_limit_both_sides():
    MusicRequest.song("p" * 2000, LYR)
    MusicRequest.song("", LYR)  # a song's prompt may be empty
    text = rejects("prompt", prompt="p" * 2001, lyrics=LYR)
    assert "2000" in text


def test_song_lyrics_limits_both_sides():
    MusicRequest.song("pop", "a")
    MusicRequest.song("pop", "[Chorus]\n" + "a" * (3500 - 9))
    assert "3500" in rejects("lyrics", prompt="pop", lyrics="[Chorus]\n" + "a" * (3501 - 9))
    assert "lyrics is required" in rejects("lyrics", prompt="pop", lyrics="")


def test_every_documented_tag_is_accepted_and_unknown_tags_are_named():
    tags = "Intro Verse|Pre Chorus|Chorus|Interlude|Bridge|Outro|Post Chorus|Transition|Break|Hook|Build Up|Inst|Solo"
    lyrics = "\n".join(f"[{t}]\nla" for t in tags.replace("Intro ", "Intro|").split("|"))
    MusicRequest.song("pop", lyrics)
    MusicRequest.song("pop", "[verse 2]\nla\n[pre-chorus]\nla")  # case, numbers and the lyrics endpoint's spelling
    text = rejects("[Refrain]", prompt="pop", lyrics="[Refrain]\nla")
    assert "[Chorus]" in text  # tells what is allowed


def test_lyrics_endpoint_tags_are_rewritten_for_the_song_endpoint():
    assert (
        normalize_tags("[Pre-Chorus]\na\n[Build-up]\nb\n[Verse 1]\nc") == "[Pre Chorus]\na\n[Build Up]\nb\n[Verse]\nc"
    )
    assert MusicRequest.song("pop", "[Pre-Chorus]\nla").payload()["lyrics"] == "[Pre Chorus]\nla"


def test_blank_lines_between_sections_survive_tag_rewriting():
    lyrics = "[Intro]\n\n[Verse-1]\nline one\n\n\n[Chorus]\nla la\n"
    assert normalize_tags(lyrics) == "[Intro]\n\n[Verse]\nline one\n\n\n[Chorus]\nla la\n"
    assert MusicRequest.song("pop", "a\n\n[Chorus]\nb").payload()["lyrics"] == "a\n\n[Chorus]\nb"


def test_lyrics_optimizer_needs_prompt_and_no_lyrics():
    MusicRequest.song("sunny pop", lyrics_optimizer=True)
    rejects("prompt", prompt="", lyrics_optimizer=True)
    rejects("lyrics must be empty", prompt="pop", lyrics=LYR, lyrics_optimizer=True)


def test_instrumental_prompt_limits_and_no_lyrics():
    MusicRequest.instrumental("p")
    MusicRequest.instrumental("p" * 2000)
    assert "1–2000" in rejects("prompt", prompt="", is_instrumental=True)
    rejects("prompt", prompt="p" * 2001, is_instrumental=True)
    rejects("lyrics must be empty", prompt="jazz", lyrics=LYR, is_instrumental=True)
    rejects("lyrics_optimizer", prompt="jazz", is_instrumental=True, lyrics_optimizer=True)


def test_cover_prompt_limits_both_sides():
    ok = dict(model="music-cover", audio_url="https://x/a.mp3")
    MusicRequest(prompt="p" * 10, **ok)
    MusicRequest(prompt="p" * 300, **ok)
    assert "10–300" in rejects("prompt", prompt="p" * 9, **ok)
    rejects("prompt", prompt="p" * 301, **ok)


def test_cover_needs_exactly_one_reference():
    p = "acoustic folk cover"
    rejects("exactly one", model="music-cover", prompt=p)
    rejects("exactly one", model="music-cover", prompt=p, audio_url="https://x", audio_base64="AAAA")
    rejects("exactly one", model="music-cover-free", prompt=p, audio_url="https://x", cover_feature_id="f", lyrics=LYR)
    MusicRequest.cover(p, audio_base64="AAAA")
    MusicRequest.cover(p, model="music-cover-free", audio_url="https://x")


def test_cover_feature_id_requires_lyrics_within_10_to_1000():
    p = "acoustic folk cover"
    rejects("lyrics is required", model="music-cover", prompt=p, cover_feature_id="abc")
    MusicRequest.cover(p, cover_feature_id="abc", lyrics="[Verse]\nab")  # exactly 10
    MusicRequest.cover(p, cover_feature_id="abc", lyrics="[Verse]\n" + "a" * 992)  # exactly 1000
    rejects("10–1000", model="music-cover", prompt=p, cover_feature_id="abc", lyrics="[Verse]\na")
    rejects("10–1000", model="music-cover", prompt=p, cover_feature_id="abc", lyrics="[Verse]\n" + "a" * 993)


def test_cover_rejects_instrumental_and_optimizer_flags():
    base = dict(model="music-cover", prompt="acoustic folk cover", audio_url="https://x")
    rejects("is_instrumental", is_instrumental=True, **base)
    rejects("lyrics_optimizer", lyrics_optimizer=True, **base)


def test_text_models_reject_reference_fields():
    for field in ("audio_url", "audio_base64", "cover_feature_id"):
        rejects(field, prompt="pop", lyrics=LYR, **{field: "x"})


def test_stream_only_with_hex():
    MusicRequest.song("pop", LYR, stream=True)
    rejects("stream", prompt="pop", lyrics=LYR, stream=True, output_format="url")


@pytest.mark.parametrize(
    "field,good,bad",
    [("sample_rate", 16000, 22050), ("sample_rate", 44100, 48000), ("bitrate", 32000, 96000),
     ("bitrate", 256000, 320000), ("format", "pcm", "flac")],
)  # fmt: skip
def test_audio_settings_enums(field, good, bad):
    AudioSetting(**{field: good})
    with pytest.raises(ValidationError) as info:
        AudioSetting(**{field: bad})
    assert field in describe_validation_error(info.value)


def test_unknown_models_are_left_to_the_server():
    assert MusicRequest.song("pop", LYR, model="music-3.0").payload()["model"] == "music-3.0"


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        MusicRequest(prompt="pop", lyrics=LYR, temperature=1)


def test_payload_leaves_out_unset_fields():
    body = MusicRequest.instrumental("jazz").payload()
    assert body["is_instrumental"] is True and "lyrics" not in body and "stream" not in body
    assert body["audio_setting"] == {"sample_rate": 44100, "bitrate": 256000, "format": "mp3"}


def test_preprocess_needs_exactly_one_reference_and_model_music_cover():
    CoverPreprocessRequest(audio_url="https://x/a.mp3")
    with pytest.raises(ValidationError, match="exactly one"):
        CoverPreprocessRequest()
    with pytest.raises(ValidationError, match="exactly one"):
        CoverPreprocessRequest(audio_url="https://x", audio_base64="AAAA")
    with pytest.raises(ValidationError, match="model"):
        CoverPreprocessRequest(model="music-cover-free", audio_url="https://x")


def test_lyrics_request_limits():
    LyricsRequest(prompt="p" * 2000)
    LyricsRequest(mode="edit", lyrics="l" * 3500)
    for kw, field in [({"prompt": "p" * 2001}, "prompt"), ({"mode": "edit", "lyrics": "l" * 3501}, "lyrics")]:
        with pytest.raises(ValidationError) as info:
            LyricsRequest(**kw)
        assert field in describe_validation_error(info.value)
    with pytest.raises(ValidationError, match="mode"):
        LyricsRequest(mode="rewrite")
    with pytest.raises(ValidationError, match="edit mode"):
        LyricsRequest(mode="edit")
    assert LyricsRequest(prompt="rain", title="T").payload() == {
        "mode": "write_full_song",
        "prompt": "rain",
        "title": "T",
    }


def test_same_line_tags_finds_words_after_a_tag_but_not_tags_alone():
    from musicgen.requests import same_line_tags

    lyrics = "[Verse] Walking down\n[Chorus]\nla la\n[Intro] [Verse]\n  [Bridge 2]  hey there\n[Outro]:"
    found = same_line_tags(lyrics)
    assert [(f.line, f.tag, f.text) for f in found] == [(1, "Verse", "Walking down"), (5, "Bridge 2", "hey there")]


def test_tags_on_own_lines_moves_the_words_and_loses_nothing():
    from musicgen.requests import check_tags_on_own_lines, tags_on_own_lines

    fixed = tags_on_own_lines("[Verse] Walking down\r\n[Chorus]\nla la")
    assert fixed == "[Verse]\nWalking down\n[Chorus]\nla la"
    check_tags_on_own_lines(fixed)
    with pytest.raises(ValueError, match=r"lyrics line 2 has text after the tag \[Chorus\] \(and 1 more line\)"):
        check_tags_on_own_lines("ok\n[Chorus] a\n[Verse] b")
