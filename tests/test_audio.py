"""Audio helpers: encoding a received WAV as mp3 locally, for backends that answer only WAV."""

import io

import numpy as np
import soundfile as sf

from musicgen.audio import probe, wav_to_mp3


def test_wav_to_mp3_keeps_rate_channels_length_and_sound():
    rate = 32000
    t = np.arange(3 * rate) / rate
    stereo = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)], axis=1)
    wav = io.BytesIO()
    sf.write(wav, stereo, rate, format="WAV", subtype="PCM_16")
    mp3 = wav_to_mp3(wav.getvalue(), 128000)
    assert mp3[:3] == b"ID3" or mp3[:2] in (b"\xff\xfb", b"\xff\xf3")
    info = probe(mp3)
    assert (info.sample_rate, info.channels) == (32000, 2)
    assert abs(info.duration_s - 3.0) < 0.1
    decoded, _ = sf.read(io.BytesIO(mp3), dtype="float32")
    assert 0.15 < float(np.abs(decoded[rate : 2 * rate, 0]).max()) < 0.4  # the tone, not silence or noise
    assert len(mp3) < len(wav.getvalue()) / 5  # 128 kbps, not the 1 Mbps WAV
