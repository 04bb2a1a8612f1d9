"""Expiring stores and reference loading (base64, loopback-only URLs, feature ids, limits)."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import soundfile as sf

from musicgen.standin.references import check_reference, decode_base64, fetch_local, load_reference
from musicgen.standin.storage import ExpiringStore
from musicgen.standin.validation import ParamError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_expiring_store_distinguishes_expired_from_missing():
    clock = Clock()
    store: ExpiringStore[bytes] = ExpiringStore(10.0, clock=clock)
    store.put("a", b"x")
    assert store.lookup("a") == ("ok", b"x") and store.get("a") == b"x"
    clock.now = 10.0
    assert store.lookup("a") == ("expired", None) and store.get("a") is None
    assert store.lookup("b") == ("missing", None)
    store.put("c", b"y")  # putting also frees expired values
    assert store.lookup("a") == ("expired", None) and len(store) == 2


def test_reference_loading_and_limits():
    buf = io.BytesIO()
    sf.write(buf, np.zeros((8000 * 7, 1), "float32"), 8000, format="WAV")
    audio = buf.getvalue()
    assert decode_base64(base64.b64encode(audio).decode()) == audio
    assert check_reference(audio, "audio_url") == pytest.approx(7.0)
    features: ExpiringStore[bytes] = ExpiringStore(60.0)
    features.put("id1", audio)
    assert load_reference("cover_feature_id", "id1", features) == audio
    with pytest.raises(ParamError, match="not found or expired"):
        load_reference("cover_feature_id", "id2", features)
    with pytest.raises(ParamError, match="50 MB"):
        check_reference(b"\0" * (50 * 1024 * 1024 + 1), "audio_base64")
    with pytest.raises(ParamError, match="only fetches 127.0.0.1"):
        fetch_local("http://10.0.0.1/song.mp3")
    with pytest.raises(ParamError, match="could not be downloaded"):
        fetch_local("http://127.0.0.1:9/song.mp3", timeout_s=2)
