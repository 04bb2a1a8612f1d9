"""Command line: `python -m musicgen song|instrumental|cover-preprocess|cover|lyrics|fetch|upload|music01 ...`.

Flags are named after the API's fields. The key and host come from MINIMAX_API_KEY and MINIMAX_BASE_URL, or with
--provider aimlapi from AIMLAPI_KEY and AIMLAPI_BASE_URL (the AI/ML API proxy: songs with given lyrics only).
Failures print one clear message and exit non-zero; no traceback.
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from pathlib import Path
from typing import cast

from pydantic import ValidationError

from . import batch, cli_legacy, cli_usage, config, providers
from .audio import ReferenceError, check_reference
from .errors import MusicGenError
from .legacy import LYRICS_MAX, LegacyClient
from .lyrics_lint import blocking, lint, lint_music01
from .progress import Progress
from .providers import Client
from .providers.ways import closed_door
from .requests import AudioSetting, CoverPreprocessRequest, LyricsRequest, MusicRequest, describe_validation_error
from .results import MusicResult

EXIT_API, EXIT_USAGE = 1, 2
MODEL_HELP = f"default: the provider's own ({config.DEFAULT_SONG_MODEL} on MiniMax and the demo engine)"


def _add_audio_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=config.FORMATS, help="mp3 (default), wav or pcm; wav by default on music3")
    p.add_argument("--sample-rate", type=int, default=config.DEFAULT_SAMPLE_RATE, help="16000, 24000, 32000 or 44100")
    p.add_argument("--bitrate", type=int, default=config.DEFAULT_BITRATE, help="32000, 64000, 128000 or 256000")
    p.add_argument("--stream", action="store_true", help="receive the song as it is generated (hex only)")
    p.add_argument("--output-format", choices=("hex", "url"), default="hex")
    p.add_argument("--out", type=Path, help="where to write the audio (default: <kind>-<time>.<format>)")


def _add_lyrics_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--lyrics", help="lyrics text, lines separated by \\n, with tags like [Verse] [Chorus]")
    g.add_argument("--lyrics-file", type=Path, help="read the lyrics from this file")


def _add_take_flags(p: argparse.ArgumentParser) -> None:
    lo, hi = config.MUSIC3_MIN_SECONDS, config.MUSIC3_MAX_SECONDS
    p.add_argument("--seed", type=int, help="music3: the same seed, prompt, lyrics and length give the same file")
    p.add_argument("--max-seconds", type=int, help=f"music3: a length cap, {lo}–{hi} s (the model may end earlier)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subcommand per endpoint."""
    parser = argparse.ArgumentParser(prog="python -m musicgen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument(
        "--provider",
        choices=tuple(providers.REGISTRY),
        default=providers.MINIMAX,
        help="; ".join(
            f"{p.name}: {p.badge}" + (f" (needs {p.key_env or p.url_env})" if p.credential != "none" else "")
            for p in providers.REGISTRY.values()
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("batch", help="every recipe of a JSONL file (one recipe a line; each names its backend)")
    p.add_argument("recipes", type=Path, help="recipes.jsonl: one recipe (musicgen/recipe.py) per line")
    p.add_argument("--out", type=Path, required=True, help="folder for the songs and manifest.jsonl")
    p.add_argument("--takes", type=int, default=1, help="takes of each recipe (seeds count up on MiniMax-Music3)")
    p.add_argument("--concurrency", type=int, default=4, help="songs at once (each backend's own cap holds too)")

    p = sub.add_parser("song", help="a song with vocals from a style prompt and lyrics")
    p.add_argument("--prompt", default="", help="style, mood, scenario (0–2000 characters)")
    _add_lyrics_flags(p)
    p.add_argument("--lyrics-optimizer", action="store_true", help="let the API write the lyrics from the prompt")
    p.add_argument("--model", help=MODEL_HELP)
    _add_audio_flags(p)
    _add_take_flags(p)

    p = sub.add_parser("instrumental", help="music with no vocals")
    p.add_argument("--prompt", required=True, help="style, mood, instruments (1–2000 characters)")
    p.add_argument("--model", help=MODEL_HELP)
    _add_audio_flags(p)
    _add_take_flags(p)

    p = sub.add_parser("cover-preprocess", help="analyse a reference track: lyrics, structure, cover_feature_id")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--audio-url")
    g.add_argument("--audio-file", type=Path, help="local reference (6 s – 6 min, at most 50 MB)")
    p.add_argument("--out", type=Path, help="write the extracted lyrics here, ready to edit for `cover`")

    p = sub.add_parser("cover", help="a cover of a reference track in a new style")
    p.add_argument("--prompt", required=True, help="target style (10–300 characters)")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--audio-url")
    g.add_argument("--audio-file", type=Path)
    g.add_argument("--cover-feature-id", help="from cover-preprocess (valid 24 h); needs --lyrics/--lyrics-file")
    _add_lyrics_flags(p)
    p.add_argument("--model", default=config.DEFAULT_COVER_MODEL, help="music-cover or music-cover-free")
    _add_audio_flags(p)

    p = sub.add_parser("lyrics", help="write lyrics from a prompt, or edit given lyrics")
    p.add_argument("--mode", choices=("write_full_song", "edit"), default="write_full_song")
    p.add_argument("--prompt", default="")
    _add_lyrics_flags(p)
    p.add_argument("--title", default="")
    p.add_argument("--out", type=Path, help="write the lyrics here")

    p = sub.add_parser(
        "fetch",
        help="AI/ML API: wait for a song by its generation id (after a timeout or a lost connection) and save it",
    )
    p.add_argument("generation_id", help="the id a timed-out or interrupted --provider aimlapi song printed")
    p.add_argument("--out", type=Path, help="where to write the audio (default: song-<id>.<format>)")

    cli_legacy.add_parsers(sub)
    cli_usage.add_parser(sub)
    return parser


# Each subcommand's feature (providers.FEATURES), refused before any call on a backend that lacks it.
COMMAND_FEATURES = {
    "song": "song", "instrumental": "instrumental", "cover": "cover", "cover-preprocess": "cover-preprocess",
    "lyrics": "lyrics", "upload": "music01", "music01": "music01",
}  # fmt: skip


class _Reporter:
    """Progress on stderr: rewritten in place on a terminal, one line per stage otherwise."""

    def __init__(self, quiet: bool, provider: str = providers.MINIMAX) -> None:
        self.quiet = quiet
        self.words = providers.get(provider).stage_text  # a backend's own stages (the AI/ML API's task queue)
        self.tty = sys.stderr.isatty()
        self.last_stage = ""
        self.last_print = 0.0

    def __call__(self, p: Progress) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if p.stage == self.last_stage and now - self.last_print < (0.2 if self.tty else 5.0):
            return
        self.last_stage, self.last_print = p.stage, now
        got = f", {p.bytes_received / 1024:,.0f} KB received" if p.bytes_received else ""
        line = f"{self.words(p.stage) or p.stage}… {p.elapsed_s:5.1f} s elapsed{got}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
            if p.stage == "done":
                sys.stderr.write("\n")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _read_lyrics(args: argparse.Namespace) -> str:
    if getattr(args, "lyrics_file", None):
        try:
            return args.lyrics_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ReferenceError(f"--lyrics-file: cannot read {args.lyrics_file}: {exc.strerror}") from None
    return (getattr(args, "lyrics", None) or "").replace("\\n", "\n")


def _check_lyrics(args: argparse.Namespace) -> bool:
    """The lyrics linter, before any call: each finding on stderr with its line; True when one blocks the request."""
    if args.command == "music01":  # checked before the reference is uploaded, too
        if not _read_lyrics(args).strip():
            print(
                f"error: --lyrics or --lyrics-file is required for music-01 (1–{LYRICS_MAX} characters)",
                file=sys.stderr,
            )
            return True
        findings = lint_music01(_read_lyrics(args), args.accompaniment)
    elif args.command in ("song", "cover"):
        cap = getattr(args, "max_seconds", None) or config.MUSIC3_DEFAULT_SECONDS
        findings = lint(_read_lyrics(args), backend=args.provider, cover=args.command == "cover", max_seconds=cap)
    else:
        return False
    for f in findings:
        print(f"{'error' if f.blocks else 'warning'}: lyrics {f.text()}", file=sys.stderr)
    return bool(blocking(findings))


def _music_request(args: argparse.Namespace) -> MusicRequest:
    setting = AudioSetting(sample_rate=args.sample_rate, bitrate=args.bitrate, format=args.format)
    model = args.model or providers.get(args.provider).can.default_model  # covers: their own --model default
    common: dict = dict(model=model, stream=args.stream, output_format=args.output_format, audio_setting=setting)
    if args.command in ("song", "instrumental"):
        common.update(seed=args.seed, max_seconds=args.max_seconds)
    if args.command == "song":
        return MusicRequest.song(args.prompt, _read_lyrics(args), lyrics_optimizer=args.lyrics_optimizer, **common)
    if args.command == "instrumental":
        return MusicRequest.instrumental(args.prompt, **common)
    ref: dict[str, str] = {}
    if args.audio_file:
        data, _ = check_reference(args.audio_file)
        ref["audio_base64"] = base64.b64encode(data).decode("ascii")
    elif args.audio_url:
        ref["audio_url"] = args.audio_url
    else:
        ref["cover_feature_id"] = args.cover_feature_id
    return MusicRequest.cover(args.prompt, lyrics=_read_lyrics(args) or None, **ref, **common)


def _save(result: MusicResult, args: argparse.Namespace) -> Path:
    tag = "-demo-engine" if result.provider == "demo" else ""
    out = args.out or Path(f"{args.command}{tag}-{time.strftime('%Y%m%d-%H%M%S')}.{result.format}")
    result.save(out)
    if result.format == "pcm":  # raw PCM plays nowhere; keep it and write a WAV beside it
        wav = result.save(out.with_suffix(".wav"), playable=True)
        print(f"wrote {wav} (the pcm wrapped as WAV)")
    return out


def _run(args: argparse.Namespace, client: Client) -> int:
    report = _Reporter(args.quiet, args.provider)
    if args.command in cli_legacy.COMMANDS:
        # refusal() let a music-01 command through only to a backend that offers it: its client has the routes.
        return cli_legacy.run(args, cast(LegacyClient, client), _read_lyrics(args), report)
    if args.command == "lyrics":
        req = LyricsRequest(mode=args.mode, prompt=args.prompt, lyrics=_read_lyrics(args), title=args.title)
        res = client.generate_lyrics(req, on_progress=report)
        if args.out:
            args.out.write_text(res.lyrics, encoding="utf-8")
            print(f"wrote {args.out}")
        print(f"title: {res.title}\nstyle: {res.style_tags}\ntrace id: {res.trace_id}\n\n{res.lyrics}")
        return 0
    if args.command == "cover-preprocess":
        ref = args.audio_file if args.audio_file else CoverPreprocessRequest(audio_url=args.audio_url)
        ana = client.preprocess_cover(ref, on_progress=report)
        if args.out:
            args.out.write_text(ana.formatted_lyrics, encoding="utf-8")
            print(f"wrote {args.out}")
        dur = f"{ana.duration_s:.1f} s" if ana.duration_s is not None else "unknown"
        print(f"cover_feature_id: {ana.cover_feature_id} (valid 24 h)\nduration: {dur}\ntrace id: {ana.trace_id}")
        for s in ana.segments:
            print(f"  {s.start:7.2f}–{s.end:7.2f} s  {s.label}")
        print("\n" + ana.formatted_lyrics)
        return 0
    if args.command == "fetch":
        result = client.wait(args.generation_id, on_progress=report)  # type: ignore[attr-defined]
        args.out = args.out or Path(f"song-{args.generation_id[:16]}.{result.format}")
        return _report_song(_save(result, args), result)
    request = _music_request(args)
    try:
        result = client.generate(request, on_progress=report)
    except MusicGenError as exc:
        if exc.partial:  # never throw away what arrived
            out = (args.out or Path(f"{args.command}.{request.audio_setting.format}")).with_suffix(".partial")
            out.write_bytes(exc.partial)
            print(f"kept {len(exc.partial)} bytes that arrived in {out}", file=sys.stderr)
        raise
    result = result.converted(args.format, args.bitrate)  # a WAV-only backend's song, as mp3 when asked
    return _report_song(_save(result, args), result)


def _report_song(out: Path, result: MusicResult) -> int:
    """Print where the song went, what it is, and its trace id (and AI/ML API usage); the exit code."""
    dur = f"{result.duration_s:.1f} s" if result.duration_s is not None else "unknown length"
    print(f"wrote {out}: {dur}, {result.format}, {result.sample_rate} Hz, {result.size:,} bytes")
    if result.trace_id:
        print(f"trace id: {result.trace_id}")
    if result.extra.get("seed") is not None:
        seed, cap = result.extra["seed"], result.extra.get("max_seconds")
        print(f"seed: {seed} · length cap: {cap} s · model: {result.model} (--seed {seed} makes this take again)")
    if result.extra.get("generation_id"):
        usd, credits = result.extra.get("usd_spent"), result.extra.get("credits_used")
        usage = f"{credits:,} credits, {usd} USD" if credits is not None and usd is not None else "not reported"
        print(f"AI/ML API generation id: {result.extra['generation_id']} · usage: {usage}")
    return 0


def refusal(provider: str, args: argparse.Namespace) -> str:
    """Why this provider cannot run this command (checked before any call), or '' when it can."""
    record = providers.get(provider)
    if args.command == "fetch":
        return "" if provider == providers.AIMLAPI else "fetch waits for an AI/ML API task: use --provider aimlapi."
    others = providers.REGISTRY.values()
    refused = record.lacks(COMMAND_FEATURES[args.command], others)
    if not refused and args.command == "song" and args.lyrics_optimizer:
        refused = record.lacks("auto-lyrics", others)
    for flag, name, offered in (
        ("seed", "--seed", record.can.seed),
        ("max_seconds", "--max-seconds", record.can.max_seconds),
    ):
        if not refused and getattr(args, flag, None) is not None and not offered:
            able = " or ".join(f"--provider {p.name}" for p in others if getattr(p.can, flag))
            refused = f"{record.label} takes no {name}: use {able}."
    fmt = getattr(args, "format", None)
    if not refused and fmt and fmt not in record.can.formats:
        refused = f"{record.label} answers {' or '.join(record.can.formats)}, not {fmt}: use --format {record.can.formats[0]}."
    return refused


def _client(provider: str) -> Client:
    """The backend's client from the environment; says on stderr which backend answers (not for MiniMax itself)."""
    record = providers.get(provider)
    client = record.client()
    if record.credential == "none":
        print(f"{record.badge}.", file=sys.stderr)
    elif provider != providers.MINIMAX:
        print(f"{record.badge} at {client.transport.base_url}.", file=sys.stderr)
    return client


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "usage":  # the owner's record: no client, no key
        return cli_usage.run(args)
    if args.command == "batch":
        return batch.main(args.recipes, args.out, args.takes, args.concurrency)
    if hasattr(args, "format") and args.format is None:  # the backend's first format: mp3, or wav on music3
        args.format = providers.get(args.provider).can.formats[0]
    refused = refusal(args.provider, args)
    if refused:
        print(f"error: {refused[0].upper()}{refused[1:]}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if _check_lyrics(args):
            return EXIT_USAGE
        with _client(args.provider) as client:
            return _run(args, client)
    except ValidationError as exc:
        print(f"error: {describe_validation_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except ReferenceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MusicGenError as exc:
        door = closed_door(exc, cli=True)
        print(f"error: {door} {exc.tags()}".rstrip() if door else f"error: {exc}", file=sys.stderr)
        return EXIT_API
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
