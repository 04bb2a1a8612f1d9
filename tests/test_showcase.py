"""The showcase store: copies only, unguessable ids, the owner's order, a limit, and it survives restarts."""

from __future__ import annotations

import json

import pytest

from musicgen.showcase import ENV_MAX, NotShown, Showcase, ShowcaseFull, max_from_env

AUDIO = b"ID3fake-mp3-bytes" * 10


def song(title: str, **extra) -> dict:
    return {
        "kind": "song", "title": title, "prompt": "indie folk", "lyrics": "[Verse]\nla la", "provider": "demo",
        "model": "music-2.6", "duration_s": 12.5,
        "params": {"prompt": "indie folk", "model": "music-2.6", "api_key": "sk-secret", "audio_setting": {"format": "mp3"}},
        "metadata": {"library_id": "lib-123", "title": title, "owner_token": "tok", "trace_id": "t1"},
        **extra,
    }  # fmt: skip


def test_publish_copies_the_song_under_a_new_unguessable_id_without_secrets_or_library_links(tmp_path) -> None:
    store = Showcase(tmp_path)
    a, b = store.publish(AUDIO, "mp3", song("A")), store.publish(AUDIO, "mp3", song("B"))
    assert a.id != b.id and len(a.id) >= 16 and a.id != "lib-123"
    assert store.audio_path(a.id).read_bytes() == AUDIO
    assert store.audio_path(a.id).is_relative_to(tmp_path / "showcase")
    on_disk = (tmp_path / "showcase" / "index.json").read_text()
    for secret in ("sk-secret", "lib-123", "tok"):
        assert secret not in on_disk
    assert a.params["audio_setting"] == {"format": "mp3"} and a.metadata["trace_id"] == "t1"


def test_newest_first_moves_and_unpublish_and_it_survives_a_restart(tmp_path) -> None:
    store = Showcase(tmp_path)
    ids = [store.publish(AUDIO, "mp3", song(t), now=n).id for n, t in enumerate("ABC")]
    assert [s.title for s in store.list()] == ["C", "B", "A"]
    store.move(ids[0], -1)  # A up
    assert [s.title for s in store.list()] == ["C", "A", "B"]
    store.move(ids[2], -1)  # C already first: stays
    store.move(ids[1], +5)  # B already last: stays
    assert [s.title for s in store.list()] == ["C", "A", "B"]
    gone = store.unpublish(ids[2])
    assert not (tmp_path / "showcase" / gone.id).exists()
    again = Showcase(tmp_path)  # a restart
    assert [s.title for s in again.list()] == ["A", "B"]
    with pytest.raises(NotShown, match="no longer shown"):
        again.get(ids[2])


def test_a_full_showcase_refuses_with_the_setting_named(tmp_path) -> None:
    store = Showcase(tmp_path, max_songs=2)
    store.publish(AUDIO, "mp3", song("A"))
    store.publish(AUDIO, "mp3", song("B"))
    with pytest.raises(ShowcaseFull, match=ENV_MAX):
        store.publish(AUDIO, "mp3", song("C"))
    assert len(store.list()) == 2 and len([p for p in (tmp_path / "showcase").iterdir() if p.is_dir()]) == 2


@pytest.mark.parametrize("bad", ["../library", "..", "", None, 5, "a/b", "x" * 200, "../../etc/passwd"])
def test_no_id_from_a_page_becomes_a_path(tmp_path, bad) -> None:
    store = Showcase(tmp_path)
    (tmp_path / "library").mkdir()
    with pytest.raises(NotShown):
        store.audio_path(bad)
    with pytest.raises(NotShown):
        store.unpublish(bad)


def test_an_id_shaped_like_a_folder_but_not_in_the_index_is_not_shown(tmp_path) -> None:
    store = Showcase(tmp_path)
    folder = tmp_path / "showcase" / "AAAAAAAAAAAAAAAA"
    folder.mkdir()
    (folder / "audio.mp3").write_bytes(AUDIO)
    with pytest.raises(NotShown):
        store.audio_path("AAAAAAAAAAAAAAAA")


def test_a_tampered_index_cannot_point_outside(tmp_path) -> None:
    store = Showcase(tmp_path)
    (tmp_path / "showcase" / "index.json").write_text(json.dumps({"songs": [{"id": "../../x", "title": "evil"}]}))
    assert store.list() == []


def test_max_from_env(monkeypatch) -> None:
    monkeypatch.delenv(ENV_MAX, raising=False)
    assert max_from_env() == 50
    monkeypatch.setenv(ENV_MAX, "3")
    assert max_from_env() == 3
    for bad in ("0", "many"):
        monkeypatch.setenv(ENV_MAX, bad)
        with pytest.raises(ValueError, match=ENV_MAX):
            max_from_env()


def test_a_failed_write_leaves_the_showcase_as_it_was(tmp_path, monkeypatch) -> None:
    import musicgen.showcase as showcase

    store = Showcase(tmp_path)
    store.publish(AUDIO, "mp3", song("Kept"))

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(showcase, "write_atomic", full)
    with pytest.raises(showcase.ShowcaseError, match="cannot be written"):
        store.publish(AUDIO, "mp3", song("Lost"))
    assert [s.title for s in store.list()] == ["Kept"]
    assert len([p for p in (tmp_path / "showcase").iterdir() if p.is_dir()]) == 1
