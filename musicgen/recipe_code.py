""" "Copy as code": a recipe (musicgen/recipe.py) as the same request in four forms — curl against MiniMax's API (the
key as $MINIMAX_API_KEY), Python with musicgen, the command line, and gradio_client against the studio.

No snippet ever holds a key: each reads it from the environment where it runs (MINIMAX_API_KEY, MINIMAX_BASE_URL,
or the backend's own variables). Every value is quoted for its language (shlex for the shell, repr for Python), so a
prompt or lyrics with quotes, dollars or backticks stays text.
"""

from __future__ import annotations

import json
import pprint
import shlex
from typing import Any, Literal

from . import config
from .recipe import Recipe

Language = Literal["shell", "python"]
LANGUAGES: dict[str, Language] = {"curl": "shell", "python": "python", "cli": "shell", "gradio_client": "python"}
_EXT = {"mp3": "mp3", "wav": "wav", "pcm": "pcm"}
CURL_BACKENDS = ("minimax", "demo")  # speak MiniMax's /v1/music_generation (the demo engine is its local stand-in)


def snippets(recipe: Recipe, studio_url: str = "http://127.0.0.1:7860/") -> dict[str, str]:
    """Each LANGUAGES key -> its snippet (curl only for backends that speak MiniMax's API)."""
    out = {"python": python(recipe), "cli": cli(recipe), "gradio_client": gradio_client(recipe, studio_url)}
    if recipe.backend in CURL_BACKENDS:
        out = {"curl": curl(recipe), **out}
    return out


def curl(recipe: Recipe) -> str:
    """The request as curl; the answer is MiniMax's JSON (data.audio in hex unless output_format is url)."""
    body = json.dumps(recipe.request().payload(), ensure_ascii=False, indent=2)
    return (
        f'curl -sS "${{{config.ENV_BASE_URL}:-{config.GLOBAL_BASE_URL}}}/v1/music_generation" \\\n'
        f'  -H "Authorization: Bearer ${config.ENV_API_KEY}" -H "Content-Type: application/json" \\\n'
        f"  --data-binary @- <<'JSON'\n{body}\nJSON\n"
    )


def python(recipe: Recipe) -> str:
    """The request with musicgen's typed client (key and host from the backend's environment variables)."""
    data = json.loads(recipe.to_json())
    out = f"{recipe.kind}.{_EXT[recipe.audio_setting.format]}"
    return (
        "from musicgen import providers\nfrom musicgen.recipe import parse\n\n"
        f"recipe = parse({pprint.pformat(data, width=100, sort_dicts=False)})\n"
        f"with providers.get({recipe.backend!r}).client() as client:\n"
        f"    result = client.generate(recipe.request())\n"
        f"result.save({out!r})\nprint(result.trace_id)\n"
    )


def cli(recipe: Recipe) -> str:
    """The request as `python -m musicgen` (lyrics on one line, \\n between lines, as --lyrics takes them)."""
    args = ["python", "-m", "musicgen", "--provider", recipe.backend, recipe.kind, "--prompt", recipe.prompt]
    if recipe.lyrics:
        args += ["--lyrics", recipe.lyrics.replace("\n", "\\n")]
    if recipe.lyrics_optimizer:
        args.append("--lyrics-optimizer")
    args += ["--model", recipe.model, "--format", recipe.audio_setting.format]
    args += ["--sample-rate", str(recipe.audio_setting.sample_rate), "--bitrate", str(recipe.audio_setting.bitrate)]
    if recipe.stream:
        args.append("--stream")
    if recipe.seed is not None:
        args += ["--seed", str(recipe.seed)]
    if recipe.max_seconds is not None:
        args += ["--max-seconds", str(recipe.max_seconds)]
    if recipe.kind == "cover":
        args += ["--audio-url", recipe.audio_url] if recipe.audio_url else ["--cover-feature-id", _fid(recipe)]
    args += ["--out", f"{recipe.kind}.{_EXT[recipe.audio_setting.format]}"]
    lines, i = [" ".join(shlex.quote(a) for a in args[:6])], 6  # python -m musicgen --provider X kind
    while i < len(args):  # one flag a line, as --flag=value (a value starting with "-" stays a value)
        n = 1 if args[i] in ("--stream", "--lyrics-optimizer") else 2
        lines.append(shlex.quote("=".join(args[i : i + n])))
        i += n
    return " \\\n  ".join(lines) + "\n"


def gradio_client(recipe: Recipe, studio_url: str) -> str:
    """The request through the studio's named endpoint (/song, /instrumental or /cover)."""
    s = recipe.audio_setting
    kw: dict[str, Any] = {"prompt": recipe.prompt}
    if recipe.kind == "song":
        kw.update(lyrics=recipe.lyrics, lyrics_optimizer=recipe.lyrics_optimizer)
    elif recipe.kind == "cover":
        kw.update(
            lyrics=recipe.lyrics, cover_feature_id=recipe.cover_feature_id or "", audio_url=recipe.audio_url or ""
        )
    kw.update(model=recipe.model, format=s.format, sample_rate=s.sample_rate, bitrate=s.bitrate, stream=recipe.stream)
    if recipe.kind != "cover":
        if recipe.seed is not None:
            kw["seed"] = str(recipe.seed)
        if recipe.max_seconds is not None:
            kw["max_seconds"] = recipe.max_seconds
    args = "".join(f"    {k}={v!r},\n" for k, v in kw.items())
    return (
        "from gradio_client import Client\n\n"
        f"client = Client({studio_url!r})\n"
        f"live, audio, download, metadata, info = client.predict(\n{args}    api_name={'/' + recipe.kind!r},\n)\n"
        "print(download, metadata.get('trace_id'))\n"
    )


def _fid(recipe: Recipe) -> str:
    return recipe.cover_feature_id or "<analyse the reference again: cover-preprocess prints the id>"
