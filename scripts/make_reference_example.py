"""Render assets/reference-example.wav with the demo engine: a short reference track the project made itself.

.venv/bin/python scripts/make_reference_example.py
"""

import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import soundfile as sf  # noqa: E402

from musicgen.demo import DemoRenderer  # noqa: E402

PAYLOAD = {
    "model": "music-2.6",
    "prompt": "upbeat indie pop, 108 BPM, bright guitar, piano, drums",
    "lyrics": "[Intro]\n[Verse]\nMorning light on the window pane\nCoffee cooling, the city wakes\n"
    "[Chorus]\nSing it loud, sing it clear\nEvery little thing is here\n[Outro]",
    "audio_setting": {"sample_rate": 16000, "bitrate": 128000, "format": "wav", "channel": 1},
}


def main() -> None:
    r = DemoRenderer().music(PAYLOAD)
    import numpy as np

    audio = np.concatenate(list(r.blocks)).mean(axis=1)
    out = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assets", "reference-example.wav")
    buf = io.BytesIO()
    sf.write(buf, audio, r.sample_rate, format="WAV", subtype="PCM_16")
    with open(out, "wb") as f:
        f.write(buf.getvalue())
    print(f"wrote {out}: {len(audio) / r.sample_rate:.1f} s at {r.sample_rate} Hz, tempo {r.plan.tempo_bpm} BPM")


if __name__ == "__main__":
    main()
