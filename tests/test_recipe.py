"""Recipes: one portable, versioned form of a request that makes the same request again, never carries a secret or
a path, and refuses (saying why, without echoing it) anything tampered, oversized or of another version."""

from __future__ import annotations

import base64
import json
import random
import string
import zipfile
import zlib
from pathlib import Path

import pytest
from ui_fixtures import LYRICS, StandInFactory

from musicgen import recipe as rc
from musicgen.library import Library
from musicgen.recipe import Recipe, RecipeError, from_json, from_link, parse
from musicgen.requests import AudioSetting, MusicRequest
from musicgen.standin import StandIn
from musicgen.ui import library_events as le
from musicgen.ui import recipe_events
from musicgen.ui.handlers import Handlers
from musicgen.ui.library_service import LibraryService
from musicgen.ui.session import Session

SECRET = "sk-visitor-secret-key-0123456789"


def song_request(**kw) -> MusicRequest:
    return MusicRequest.song(
        "Indie folk, melancholic", LYRICS, model="music-2.6", audio_setting=AudioSetting(format="wav"), **kw
    )


def link(data: dict) -> str:
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


def test_a_recipe_makes_the_same_request_again_through_json_and_a_link():
    request = song_request(stream=True)
    made = Recipe.from_request(request, "minimax", title="Night walk")
    assert from_json(made.to_json()) == made and from_link(made.link_value()) == made
    assert from_link(made.link_value()).request().payload() == request.payload()
    body = json.loads(made.to_json())
    assert body["version"] == 1 and body["kind"] == "song" and body["backend"] == "minimax"
    music3 = Recipe.from_request(MusicRequest.song("lo-fi", LYRICS, model="x", seed=42, max_seconds=30), "music3")
    assert from_link(music3.link_value()).request().seed == 42 and music3.request().max_seconds == 30
    instrumental = Recipe.from_request(MusicRequest.instrumental("lo-fi beat"), "demo")
    assert instrumental.request().payload() == MusicRequest.instrumental("lo-fi beat").payload()


def test_a_recipe_never_holds_keys_codes_paths_or_owner_tokens():
    for field in ("api_key", "access_code", "owner", "owner_token", "path", "file", "audio_base64", "key"):
        with pytest.raises(RecipeError, match=f"does not know: {field}"):
            parse({"version": 1, "kind": "song", "model": "music-2.6", field: SECRET})
    uploaded = MusicRequest.cover("bossa nova style", audio_base64="QUJD" * 10)
    made = Recipe.from_request(uploaded, "minimax")
    assert "QUJD" not in made.to_json() and made.audio_url is None and made.cover_feature_id is None
    for path in ("/etc/passwd", "file:///etc/passwd", "C:\\\\songs\\\\ref.mp3", "javascript:alert(1)"):
        params = {"model": "music-cover", "prompt": "bossa nova style", "audio_url": path}
        assert Recipe.from_params("cover", params, "minimax").audio_url is None  # a path never travels
        with pytest.raises(RecipeError, match="audio_url: must be an http"):
            parse({"version": 1, "kind": "cover", "model": "music-cover", "audio_url": path})


def test_a_covers_feature_id_travels_only_while_it_is_valid():
    params = {"model": "music-cover", "prompt": "bossa nova style", "lyrics": LYRICS, "cover_feature_id": "fid_1"}
    made = Recipe.from_params("cover", params, "minimax", made_at=1000.0)
    assert made.portable(now=1000.0 + 3600).cover_feature_id == "fid_1"
    assert made.portable(now=1000.0 + 24 * 3600).cover_feature_id is None
    with_url = Recipe.from_params("cover", {**params, "audio_url": "https://example.com/a.mp3"}, "minimax", 0.0)
    assert with_url.portable(now=10**9).audio_url == "https://example.com/a.mp3"


def test_the_longest_recipe_still_fits_a_link():
    rnd = random.Random(7)
    text = lambda n: "".join(rnd.choice(string.ascii_letters + " \n") for _ in range(n))  # noqa: E731
    made = Recipe(kind="song", model="music-2.6", prompt=text(2000), lyrics=text(3500), title=text(200))
    assert len(made.link_value()) <= rc.LINK_MAX and from_link(made.link_value()) == made


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("x" * (rc.LINK_MAX + 1), "too long"),
        ("!!!not-base64!!!", "damaged"),
        (link({"version": 1, "kind": "song", "model": "music-2.6"})[:-6] + "AAAAAA", "damaged"),
        (link({"version": 2, "kind": "song", "model": "music-2.6"}), "version 2 is not one this studio reads"),
        (link({"kind": "song", "model": "music-2.6"}), "version missing"),
        (link([1, 2, 3]), "a recipe is a JSON object"),
        (link({"version": 1, "kind": "song", "model": "music-2.6", "seed": -1}), "seed"),
        (link({"version": 1, "kind": "remix", "model": "music-2.6"}), "kind"),
        (link({"version": 1, "kind": "song", "model": "music-2.6", "backend": "evil"}), "backend: must be one of"),
        (base64.urlsafe_b64encode(zlib.compress(b"0" * 5_000_000, 9)).decode().rstrip("="), "too large"),
    ],
)
def test_a_tampered_or_oversized_link_is_refused_saying_why(value, said):
    with pytest.raises(RecipeError, match=said):
        from_link(value)


def test_refusals_never_echo_what_they_were_given():
    hostile = "<script>alert(1)</script>"
    for data in (
        {"version": 1, "kind": hostile, "model": "music-2.6"},
        {"version": 1, "kind": "song", "model": hostile},
        {"version": 1, "kind": "song", "model": "music-2.6", hostile: 1},
        {"version": hostile, "kind": "song", "model": "music-2.6"},
        {"version": 1, "kind": "song", "model": "music-2.6", "audio_setting": {"format": hostile}},
    ):
        with pytest.raises(RecipeError) as caught:
            from_link(link(data))
        assert "<" not in str(caught.value) and "script" not in str(caught.value)


def test_a_script_in_a_text_field_stays_text():
    hostile = '<img src=x onerror="alert(1)">'
    made = from_link(link({"version": 1, "kind": "song", "model": "music-2.6", "prompt": hostile, "lyrics": hostile}))
    assert made.prompt == hostile  # filled into a textbox as text; the page never renders it as HTML


@pytest.fixture
def studio(tmp_path):
    stand = StandIn().start()
    service = LibraryService(Library(tmp_path / "data"))
    h = Handlers(StandInFactory(stand), tick_s=0.05)
    h.library = service
    yield h, service
    service.close()
    stand.stop()


def test_every_library_song_holds_its_recipe_in_metadata_json_the_zip_and_the_download(studio):
    h, service = studio
    alice = Session(api_key=SECRET)
    le.ensure_owner(None, alice)
    *_, (_, _, _, meta, _) = list(h.song("Folk", LYRICS, model="music-2.6", stream=False, session=alice))
    shown = le.export(service, [meta["library_id"]], alice)
    with zipfile.ZipFile(shown["value"]) as z:
        record = json.loads(z.read("metadata.json"))
        in_zip = from_json(z.read("recipe.json"))
    assert record["recipe"]["prompt"] == "Folk" and record["recipe"]["lyrics"] == LYRICS
    assert parse(record["recipe"]) == in_zip and in_zip.request().payload()["model"] == "music-2.6"
    assert parse(meta["recipe"]) == in_zip.model_copy(update={"title": ""})  # the result on the page has it too
    share, download, *code = recipe_events.selected_recipe(service, meta["library_id"], alice, "http://studio/")
    assert "$MINIMAX_API_KEY" in code[0] and "Client('http://studio/')" in code[3] and "'Folk'" in code[1]
    path = Path(download["value"])
    assert path.is_relative_to(alice.files_dir()) and from_json(path.read_bytes()) == in_zip
    value = share.split("?recipe=")[1].split('"')[0]
    assert from_link(value) == in_zip
    everything = path.read_text() + json.dumps(record) + share
    assert SECRET not in everything and alice.owner_token not in everything and str(alice.files_dir()) not in everything
    bob = Session()
    le.ensure_owner(None, bob)
    assert recipe_events.selected_recipe(service, meta["library_id"], bob)[0] == ""  # not his song
