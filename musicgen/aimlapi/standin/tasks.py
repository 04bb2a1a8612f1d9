"""Generation tasks of the proxy stand-in: when each one finishes, how, and what it reports while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MODELS = ("minimax/music-2.0", "minimax/music-2.6")
PROMPT_LIMITS, LYRICS_LIMITS = (10, 2000), (10, 3000)
SAMPLE_RATES, BITRATES, FORMATS = (16000, 24000, 32000, 44100), (32000, 64000, 128000, 256000), ("mp3", "wav", "pcm")
SUBMIT_FIELDS = frozenset({"model", "prompt", "lyrics", "audio_setting"})


@dataclass(frozen=True)
class TaskPlan:
    """How the next task behaves: seconds queued, then seconds generating, then completed (or `error`)."""

    queued_s: float = 0.1
    generating_s: float = 0.4
    error: tuple[str, str] | None = None  # (name, message) reported instead of a song

    @property
    def done_after_s(self) -> float:
        """Seconds from submission to the terminal status."""
        return self.queued_s + self.generating_s


@dataclass
class Task:
    """One submitted generation and what happened to it (times are on the stand-in's clock)."""

    id: str
    created: float
    plan: TaskPlan
    payload: dict[str, Any]
    polls: int = 0
    downloads: list[float] = field(default_factory=list)

    @property
    def done_at(self) -> float:
        """When the task reaches its terminal status."""
        return self.created + self.plan.done_after_s

    def status(self, now: float) -> str:
        """queued, generating, completed or error at time `now`."""
        if now < self.created + self.plan.queued_s:
            return "queued"
        if now < self.done_at:
            return "generating"
        return "error" if self.plan.error else "completed"

    @property
    def fmt(self) -> str:
        """The requested audio format (mp3 when no audio_setting was sent)."""
        return str((self.payload.get("audio_setting") or {}).get("format") or "mp3")

    @property
    def sample_rate(self) -> int:
        """The requested sample rate (44100 when not given)."""
        return int((self.payload.get("audio_setting") or {}).get("sample_rate") or 44100)


def _length_problem(name: str, value: Any, limits: tuple[int, int]) -> str | None:
    lo, hi = limits
    if not isinstance(value, str):
        return f"{name} must be a string"
    if not lo <= len(value) <= hi:
        return f"{name} must be between {lo} and {hi} characters (got {len(value)})"
    return None


def submit_problems(payload: Any) -> list[str]:
    """What is wrong with a POST /v2/generate/audio body, in the proxy's schema terms (empty when it is valid)."""
    if not isinstance(payload, dict):
        return ["body must be a JSON object"]
    problems = [f"property {k} should not exist" for k in sorted(set(payload) - SUBMIT_FIELDS)]
    if payload.get("model") not in MODELS:
        problems.append(f"model must be one of the following values: {', '.join(MODELS)}")
    for name, limits in (("prompt", PROMPT_LIMITS), ("lyrics", LYRICS_LIMITS)):
        problem = _length_problem(name, payload.get(name), limits)
        if problem:
            problems.append(problem)
    setting = payload.get("audio_setting")
    if setting is not None:
        if not isinstance(setting, dict):
            return [*problems, "audio_setting must be an object"]
        if setting.get("format") not in FORMATS:
            problems.append(f"audio_setting.format is required and must be one of {', '.join(FORMATS)}")
        if "sample_rate" in setting and setting["sample_rate"] not in SAMPLE_RATES:
            problems.append(f"audio_setting.sample_rate must be one of {SAMPLE_RATES}")
        if "bitrate" in setting and setting["bitrate"] not in BITRATES:
            problems.append(f"audio_setting.bitrate must be one of {BITRATES}")
    return problems
