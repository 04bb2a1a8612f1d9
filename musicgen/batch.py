"""`python -m musicgen batch recipes.jsonl --out DIR [--takes K] [--concurrency N]`: every recipe, K takes each.

Pace: at most N songs at once overall and at most each backend's own concurrency (its record); rate limits (1002,
HTTP 429) are backed off and retried by the client itself, as for any call. Output: one file per take and
`manifest.jsonl`, a line per song (recipe, file, duration, trace id, status, error). Resume: a song whose file is there
is never asked for again (nothing is paid for twice); failed ones are retried. Files are written to a temporary name
and renamed when complete, so Ctrl-C or a crash never leaves a half-written file under a song's name. A bad line is
reported with its number and the field; the rest run. Exit status: 0 all done, 1 any failed, 2 bad input.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import soundfile as sf
from tqdm import tqdm  # type: ignore[import-untyped]  # one overall bar that per-song lines print above (tqdm.write), on stderr

from . import providers
from .errors import MusicGenError
from .lyrics_lint import blocking, lint
from .recipe import Recipe, RecipeError, parse

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MANIFEST = "manifest.jsonl"
PART = ".part"  # a file being written; renamed to its song's name only when complete


@dataclass(frozen=True)
class Job:
    """One take of one recipe: where it comes from (line), and the file it makes."""

    line: int
    take: int
    recipe: Recipe
    name: str


def read_recipes(path: Path) -> tuple[list[tuple[int, Recipe]], list[str]]:
    """The recipes of a JSONL file by line number, and one message per bad line (number and field)."""
    good, bad = [], []
    with open(path, encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                recipe = parse(json.loads(raw))
                problems = blocking(lint(recipe.lyrics, backend=recipe.backend, cover=recipe.kind == "cover"))
                if problems:  # the linter names the lyrics' line
                    raise RecipeError(f"lyrics {problems[0].text()}")
                recipe.request()  # the request's own rules (lengths, cover references), before any call
            except json.JSONDecodeError as exc:
                bad.append(f"line {number}: not JSON ({exc.msg} at column {exc.colno})")
            except (RecipeError, ValueError) as exc:
                bad.append(f"line {number}: {_one_line(exc)}")
            else:
                good.append((number, recipe))
    return good, bad


def _one_line(exc: Exception) -> str:
    text = str(exc)
    if hasattr(exc, "errors"):  # a pydantic ValidationError: name the field
        from .requests import describe_validation_error

        text = describe_validation_error(exc)  # type: ignore[arg-type]
    return " ".join(text.split())[:300]


def jobs_for(recipes: list[tuple[int, Recipe]], takes: int) -> list[Job]:
    """K takes of each recipe; a take's file name follows from the recipe itself, so a rerun finds it."""
    out = []
    for line, recipe in recipes:
        key = hashlib.sha256(recipe.to_json(indent=None).encode()).hexdigest()[:10]
        slug = re.sub(r"[^A-Za-z0-9]+", "-", recipe.title or recipe.prompt)[:40].strip("-").lower() or recipe.kind
        for take in range(1, takes + 1):
            seed = recipe.seed + take - 1 if recipe.seed is not None and takes > 1 else recipe.seed
            made = recipe.model_copy(update={"seed": seed}) if seed != recipe.seed else recipe
            ext = "wav" if recipe.audio_setting.format == "pcm" else recipe.audio_setting.format  # pcm: as WAV
            out.append(Job(line, take, made, f"{slug}-{key}-take{take}.{ext}"))
    return out


class Batch:
    """Runs jobs into `out`, appending to its manifest as each song finishes."""

    def __init__(self, out: Path, concurrency: int) -> None:
        self.out, self.concurrency = out, max(1, concurrency)
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._slots: dict[str, threading.Semaphore] = {}

    def run(self, jobs: list[Job]) -> tuple[int, int]:
        """(done, failed); songs already there are skipped and counted done."""
        self.out.mkdir(parents=True, exist_ok=True)
        for stale in self.out.glob(f"*{PART}"):  # what a crash was writing: never a song
            stale.unlink(missing_ok=True)
        todo = [j for j in jobs if not (self.out / j.name).exists()]
        done, failed = len(jobs) - len(todo), 0
        bar = tqdm(total=len(jobs), initial=done, unit="song", desc="batch", file=sys.stderr, dynamic_ncols=True)
        try:
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                futures = [pool.submit(self._one, job) for job in todo]
                try:
                    for future in as_completed(futures):
                        record = future.result()
                        ok = record["status"] == "ok"
                        done, failed = done + ok, failed + (not ok)
                        tail = f"{record['duration_s']:.1f} s" if ok else f"failed: {record['error']}"
                        tqdm.write(
                            f"line {record['line']} take {record['take']}: {record['file'] or '-'} {tail}", sys.stderr
                        )
                        bar.update(1)
                except KeyboardInterrupt:
                    for future in futures:
                        future.cancel()
                    raise
        finally:
            bar.close()
            for client in self._clients.values():
                client.close()
        return done, failed

    def _client(self, backend: str) -> tuple[Any, threading.Semaphore]:
        with self._lock:
            if backend not in self._clients:
                record = providers.get(backend)
                self._clients[backend] = record.client()
                self._slots[backend] = threading.Semaphore(record.concurrency())
            return self._clients[backend], self._slots[backend]

    def _one(self, job: Job) -> dict[str, Any]:
        record: dict[str, Any] = {"line": job.line, "take": job.take, "recipe": json.loads(job.recipe.to_json())}
        record.update(file=None, duration_s=None, trace_id=None, status="failed", error=None)
        try:
            client, slot = self._client(job.recipe.backend)
            with slot:
                result = client.generate(job.recipe.request())
            result = result.converted(job.recipe.audio_setting.format, job.recipe.audio_setting.bitrate)
            self._write(job.name, result.playable()[0])
            record.update(file=job.name, trace_id=result.trace_id, status="ok", duration_s=result.duration_s)
            if record["duration_s"] is None:
                record["duration_s"] = sf.info(str(self.out / job.name)).duration
        except (MusicGenError, RecipeError, ValueError, OSError) as exc:
            trace = getattr(exc, "trace_id", None)
            record.update(error=" ".join(str(exc).split())[:300], trace_id=trace)
        self._manifest(record)
        return record

    def _write(self, name: str, data: bytes) -> None:
        part = self.out / f".{name}{PART}"
        with open(part, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, self.out / name)

    def _manifest(self, record: dict[str, Any]) -> None:
        with self._lock, open(self.out / MANIFEST, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


def main(path: Path, out: Path, takes: int = 1, concurrency: int = 4) -> int:
    """Run a batch; the exit status."""
    if takes < 1 or concurrency < 1:
        print("error: --takes and --concurrency must be at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        recipes, bad = read_recipes(path)
    except OSError as exc:
        print(f"error: {path}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for message in bad:
        print(f"error: {path.name} {message}", file=sys.stderr)
    try:
        done, failed = Batch(out, concurrency).run(jobs_for(recipes, takes))
    except KeyboardInterrupt:
        print("interrupted: run the same command again to go on (finished songs are kept)", file=sys.stderr)
        return 130
    print(
        f"{done} done, {failed} failed, {len(bad)} bad line{'s' if len(bad) != 1 else ''}; manifest: {out / MANIFEST}"
    )
    return EXIT_BAD_INPUT if bad else EXIT_FAILED if failed else EXIT_OK
