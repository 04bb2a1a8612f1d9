"""The launched studio's showcase from the outside: the owner curates it; nobody else can, whatever they post.

`call` (from test_app_library) runs one of the page's own private events through Gradio's queue with a session hash,
exactly as a browser does; so these tests act as the owner, a visitor, or an attacker replaying the page's events.
"""

from __future__ import annotations

import json

import pytest
from test_app_library import call, client, listed, open_page, song
from ui_fixtures import StandInFactory, api_client, serve_studio, standin_fixture

from musicgen.access import Policy
from musicgen.budget import Ledger
from musicgen.showcase import Showcase
from musicgen.ui.gate import Gate

OWNER_CODE = "owner-code-7f3a9c2e"
ACCESS_CODE = "guest-code-1b2c3d"


standin = standin_fixture(latency_s=0.0)


@pytest.fixture(scope="module")
def app(standin, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    gate = Gate(Policy(owner_code=OWNER_CODE), Ledger(data))
    with serve_studio(StandInFactory(standin), data=data, concurrency=4, gate=gate, showcase=Showcase(data)) as app:
        yield app


def made_and_selected(app, tmp_path, prompt: str) -> tuple[str, dict]:
    """A visitor's page that made one song and opened it in the Library: (session hash, the song's metadata)."""
    session_hash, _ = open_page(app, None)
    meta = song(client(app, tmp_path, session_hash), prompt)
    select_newest(app, session_hash)
    return session_hash, meta


def select_newest(app, session_hash: str) -> None:
    """The Library list (refreshed), then a click on its first row: the newest song."""
    assert listed(app, session_hash)
    ok, out = call(app, session_hash, "do_select", [None, None], {"index": [0, 0], "value": "x"})
    assert ok and "mg-card" in out[6]


def titles(app) -> list[str]:
    return [s.prompt for s in app[0].showcase.list()]


def test_the_owner_publishes_copies_and_reorders(app, tmp_path):
    owner, meta = made_and_selected(app, tmp_path, "Owner's first anthem")
    ok, (_, _, info, *_rest) = call(app, owner, "owner_code_entered", [OWNER_CODE, None])
    assert ok and "accepted" in info
    published = call(app, owner, "do_publish", [None, None])
    assert published[0], published
    assert titles(app)[0] == "Owner's first anthem"
    shown = app[0].showcase.list()[0]
    assert shown.id != meta["library_id"]
    stored = (app[0].showcase.root / "index.json").read_text() + "".join(
        p.name for p in app[0].showcase.root.rglob("*")
    )
    assert meta["library_id"] not in stored and OWNER_CODE not in stored

    second = song(client(app, tmp_path, owner), "Owner's second ballad")
    select_newest(app, owner)
    assert call(app, owner, "do_publish", [None, None])[0]
    assert titles(app)[:2] == ["Owner's second ballad", "Owner's first anthem"]  # newest first
    first_id = app[0].showcase.list()[1].id
    ok, (_, songs, _) = call(app, owner, "do_up", [first_id, None])
    assert ok and [c[1] for c in songs["choices"]][0] == first_id and songs["value"] == first_id
    assert titles(app)[:2] == ["Owner's first anthem", "Owner's second ballad"]
    assert second["library_id"] not in (app[0].showcase.root / "index.json").read_text()


def test_a_visitor_without_the_code_cannot_publish_unpublish_or_reorder_by_posting_the_pages_events(app, tmp_path):
    owner, _ = made_and_selected(app, tmp_path, "Owner's song for the attack test")
    call(app, owner, "owner_code_entered", [OWNER_CODE, None])
    assert call(app, owner, "do_publish", [None, None])[0]
    before = [s.id for s in app[0].showcase.list()]

    visitor, _ = made_and_selected(app, tmp_path, "Visitor's own song")
    for name, data in (
        ("do_publish", [None, None]),
        ("do_unpublish", [before[0], None]),
        ("do_up", [before[-1], None]),
        ("do_down", [before[0], None]),
    ):
        ok, _ = call(app, visitor, name, data)
        assert not ok, name
    assert [s.id for s in app[0].showcase.list()] == before
    assert "Visitor's own song" not in titles(app)
    # A wrong code grants nothing either.
    ok, (_, _, info, owner_row, publish) = call(app, visitor, "owner_code_entered", ["guess", None])
    assert ok and "not the owner code" in info and owner_row["visible"] is False and publish["visible"] is False
    assert not call(app, visitor, "do_publish", [None, None])[0]
    # ... and a script has no way in by name.
    api = api_client(app[1], tmp_path)
    info = api.view_api(print_info=False, return_format="dict")
    names = set(info["named_endpoints"]) | set(info["unnamed_endpoints"])
    assert not any("publish" in n or "showcase" in n or n in ("/do_up", "/do_down") for n in names)
    for name in ("/do_publish", "/do_unpublish", "/do_up", "/owner_code_entered"):
        with pytest.raises(ValueError):
            api.predict(OWNER_CODE, api_name=name)


def test_unpublish_removes_the_song_and_its_copy_and_its_link_says_so(app, tmp_path):
    owner, _ = made_and_selected(app, tmp_path, "Song to take down")
    call(app, owner, "owner_code_entered", [OWNER_CODE, None])
    call(app, owner, "do_publish", [None, None])
    gone = app[0].showcase.list()[0]
    stranger, _ = open_page(app, None)
    ok, (_, songs, pane) = call(app, stranger, "do_list_showcase", [None])  # the stranger's page lists it
    assert ok and gone.id in [c[1] for c in songs["choices"]] and pane["visible"]
    folder = app[0].showcase.root / gone.id
    assert folder.is_dir()
    ok, (_, songs, _) = call(app, owner, "do_unpublish", [gone.id, None])
    assert ok and gone.id not in [c[1] for c in songs["choices"]]
    assert not folder.exists() and gone.id not in [s.id for s in app[0].showcase.list()]
    ok, (_, download, head, _, _) = call(app, stranger, "open_shown", [gone.id, None])
    assert ok and "no longer shown" in head and download["value"] is None


@pytest.mark.parametrize("bad", ["../library", "../../etc/passwd", "index.json", "x" * 40, ""])
def test_opening_a_made_up_id_reaches_no_file(app, bad):
    stranger, _ = open_page(app, None)
    call(app, stranger, "do_list_showcase", [None])
    ok, out = call(app, stranger, "open_shown", [bad, None])
    assert not ok or (out[0] is None and out[1]["value"] is None)  # refused by the list, or nothing opened
    from musicgen.ui.session import Session
    from musicgen.ui.showcase_events import open_song

    player, download, *_ = open_song(app[0].showcase, bad, Session())  # past the list's own check too
    assert player is None and download["value"] is None


def test_both_codes_share_one_throttle(tmp_path):
    from musicgen.ui.session import Session

    gate = Gate(Policy(code=ACCESS_CODE, owner_code=OWNER_CODE), Ledger(tmp_path))
    s = Session(address="203.0.113.9")
    for _ in range(3):
        assert "Access code not accepted" in gate.try_code("nope", s).message
    for _ in range(2):
        assert "Owner code not accepted" in gate.try_code("nope", s, owner=True).message
    refused = gate.try_code(OWNER_CODE, s, owner=True)  # the right code, but the address is paused
    assert refused is not None and "Too many wrong codes" in refused.title and not s.is_owner
    other = Session(address="198.51.100.4")
    assert gate.try_code(OWNER_CODE, other, owner=True) is None and other.is_owner and not other.access_granted
    assert gate.try_code(OWNER_CODE, Session(address="198.51.100.5")) is not None  # not an access code


def test_owner_code_must_differ_from_the_access_code(monkeypatch):
    from musicgen.access import ENV_CODE, ENV_OWNER_CODE, policy_from_env

    monkeypatch.setenv(ENV_CODE, "same-code")
    monkeypatch.setenv(ENV_OWNER_CODE, "same-code")
    with pytest.raises(ValueError, match=ENV_OWNER_CODE):
        policy_from_env()
    monkeypatch.setenv(ENV_OWNER_CODE, "other-code")
    assert policy_from_env().owner_code_matches(" other-code ") and not policy_from_env().owner_code_matches("")
    assert json.dumps(repr(policy_from_env())).count("other-code") == 0


def test_a_visitor_uses_a_shown_songs_recipe_and_downloads_it_finished(app, tmp_path):
    import httpx
    import soundfile as sf

    from musicgen import loudness

    owner, _ = made_and_selected(app, tmp_path, "Recipe to share: bossa nova, soft brushes")
    call(app, owner, "owner_code_entered", [OWNER_CODE, None])
    assert call(app, owner, "do_publish", [None, None])[0]
    shown = app[0].showcase.list()[0]
    published = app[0].showcase.audio_path(shown.id).read_bytes()
    visitor, _ = open_page(app, None)
    call(app, visitor, "do_list_showcase", [None])
    ok, out = call(app, visitor, "use_shown_recipe", [shown.id])
    assert ok and "Recipe to share: bossa nova, soft brushes" in out and shown.lyrics in out  # the Song tab's form
    assert {"__type__": "update", "selected": "song"}.items() <= out[0].items()
    ok, (finished, summary) = call(app, visitor, "finish_song", [shown.id, "streaming", True, 0.5, 1.0, None])
    finished = finished.get("value", finished)
    assert ok and "LUFS" in summary and "-finished-14LUFS" in finished["orig_name"]
    data = httpx.get(finished["url"], timeout=10).content
    target = tmp_path / "finished.mp3"
    target.write_bytes(data)
    samples, rate = sf.read(str(target), always_2d=True)
    assert loudness.integrated_lufs(samples, rate) == pytest.approx(-14.0, abs=0.5)
    assert loudness.true_peak_dbtp(samples) <= -1.0
    assert app[0].showcase.audio_path(shown.id).read_bytes() == published  # the published copy is untouched
