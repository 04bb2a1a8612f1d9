"""The CLI's legacy music-01 subcommands: `upload` a reference, then `music01` to sing lyrics after it.

Both work with MiniMax direct (MINIMAX_API_KEY) and through the AI/ML API (--provider aimlapi); the demo engine has
no music-01. music-01 is a legacy model MiniMax may no longer serve: that shows as "model unavailable" with advice.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from . import config
from .legacy import (
    LYRICS_MAX,
    PURPOSES,
    LegacyClient,
    Music01Request,
    generate_music01,
    sent_lyrics,
    upload_reference,
)
from .progress import ProgressFn
from .requests import AudioSetting

COMMANDS = ("upload", "music01")
LEGACY_NOTE = "music-01 is a legacy model that MiniMax may no longer serve"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add `upload` and `music01` to the CLI's subcommands."""
    p = sub.add_parser(
        "upload",
        help="legacy music-01: upload a reference (wav/mp3, 10 s – 10 min) for voice_id / instrumental_id",
        description=f"Upload a reference for music-01 ({LEGACY_NOTE}).",
    )
    p.add_argument("file", type=Path, help="the reference track (wav or mp3, 10 s – 10 min)")
    p.add_argument(
        "--purpose",
        choices=PURPOSES,
        default="song",
        help="song: both ids (voice and accompaniment); voice: voice_id only; instrumental: instrumental_id only",
    )

    p = sub.add_parser(
        "music01",
        help=f"legacy music-01: sing lyrics (≤ {LYRICS_MAX} characters) after an uploaded reference (≤ 1 min)",
        description=f"Generate with music-01 ({LEGACY_NOTE}). Give ids from `upload`, or --reference to upload first.",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--lyrics", help=f"lyrics text (1–{LYRICS_MAX} characters), lines separated by \\n")
    g.add_argument("--lyrics-file", type=Path, help="read the lyrics from this file")
    p.add_argument("--refer-voice", help="voice_id from `upload`")
    p.add_argument("--refer-instrumental", help="instrumental_id from `upload`")
    p.add_argument("--refer-vocal", help="a T2A or cloned voice id to sing with (needs both ids above)")
    p.add_argument("--reference", type=Path, help="upload this track (purpose song) first and use both its ids")
    p.add_argument("--accompaniment", action="store_true", help="wrap the lyrics in ## … ## to ask for accompaniment")
    p.add_argument("--format", choices=config.FORMATS, default=config.DEFAULT_FORMAT)
    p.add_argument("--sample-rate", type=int, default=config.DEFAULT_SAMPLE_RATE, help="16000, 24000, 32000 or 44100")
    p.add_argument("--bitrate", type=int, default=config.DEFAULT_BITRATE, help="32000, 64000, 128000 or 256000")
    p.add_argument("--out", type=Path, help="where to write the audio (default: music01-<time>.<format>)")


def run(args: argparse.Namespace, client: LegacyClient, lyrics: str, report: ProgressFn) -> int:
    """Run `upload` or `music01`; returns the exit code (failures raise, as in the rest of the CLI)."""
    if args.command == "upload":
        up = upload_reference(client, args.file, args.purpose, on_progress=report)
        if up.voice_id:
            print(f"voice_id: {up.voice_id}")
        if up.instrumental_id:
            print(f"instrumental_id: {up.instrumental_id}")
        print(f"trace id: {up.trace_id}")
        return 0
    voice, instrumental = args.refer_voice, args.refer_instrumental
    if args.reference:
        up = upload_reference(client, args.reference, "song", on_progress=report)
        voice, instrumental = voice or up.voice_id, instrumental or up.instrumental_id
        print(f"uploaded {args.reference.name}: voice_id {up.voice_id}, instrumental_id {up.instrumental_id}")
    request = Music01Request(
        lyrics=sent_lyrics(lyrics, args.accompaniment),
        refer_voice=voice,
        refer_instrumental=instrumental,
        refer_vocal=args.refer_vocal,
        audio_setting=AudioSetting(sample_rate=args.sample_rate, bitrate=args.bitrate, format=args.format),
    )
    result = generate_music01(client, request, on_progress=report)
    out = args.out or Path(f"music01-{time.strftime('%Y%m%d-%H%M%S')}.{result.format}")
    result.save(out)
    if result.format == "pcm":
        print(f"wrote {result.save(out.with_suffix('.wav'), playable=True)} (the pcm wrapped as WAV)")
    dur = f"{result.duration_s:.1f} s" if result.duration_s is not None else "unknown length"
    print(f"wrote {out}: {dur}, {result.format}, {result.sample_rate} Hz, {result.size:,} bytes")
    print(f"trace id: {result.trace_id}")
    return 0
