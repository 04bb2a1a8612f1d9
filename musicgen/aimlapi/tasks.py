"""Generation tasks on the AI/ML API proxy: when to check them (PollPolicy), what they said (Task), how they fail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import config, errors

TERMINAL = ("completed", "error")


@dataclass(frozen=True)
class PollPolicy:
    """When to check a task: `initial` s after submitting, each wait `factor` × the last up to `max_interval`."""

    initial: float = config.POLL_INITIAL
    factor: float = config.POLL_FACTOR
    max_interval: float = config.POLL_MAX_INTERVAL
    total_timeout: float = config.POLL_TOTAL_TIMEOUT

    @classmethod
    def fixed(cls, every: float, total_timeout: float = config.POLL_TOTAL_TIMEOUT) -> PollPolicy:
        """A constant interval, like the vendor example's 15 s (for comparison)."""
        return cls(every, 1.0, every, total_timeout)

    def intervals(self) -> Iterator[float]:
        """The waits before each status check, without end."""
        wait = min(self.initial, self.max_interval)
        while True:
            yield wait
            wait = min(wait * self.factor, self.max_interval)


@dataclass(frozen=True)
class Task:
    """A generation task as the proxy last reported it; usage is kept from the submission answer."""

    id: str
    status: str
    audio_url: str | None = None
    error_name: str = ""
    error_message: str = ""
    credits_used: float | None = None
    usd_spent: float | None = None
    extra_info: dict | None = None
    trace_id: str | None = None

    @classmethod
    def from_body(cls, body: Any, known: Task | None = None) -> Task:
        """Parse a task answer, keeping what `known` already said when this answer leaves it out."""
        if not (body.get("id") or known):
            raise errors.ServerError("The AI/ML API answered without a task id")
        usage = (body.get("meta") or {}).get("usage") or {}
        err = body.get("error") if isinstance(body.get("error"), dict) else {}
        return cls(
            id=str(body.get("id") or known.id),  # type: ignore[union-attr]
            status=str(body.get("status") or "queued"),
            audio_url=(body.get("audio_file") or {}).get("url"),
            error_name=str(err.get("name") or ""),
            error_message=str(err.get("message") or ""),
            credits_used=usage.get("credits_used", known.credits_used if known else None),
            usd_spent=usage.get("usd_spent", known.usd_spent if known else None),
            extra_info=body.get("extra_info") if isinstance(body.get("extra_info"), dict) else None,
            trace_id=body.get("trace_id"),
        )


class TaskFailedError(errors.APIError):
    """The proxy reported the generation task as failed; .task_id and .error_name say which and why."""

    default_hint = "Change the prompt or lyrics if the message points at them, or try again; credits may be spent."

    def __init__(self, message: str, *, task_id: str, error_name: str = "", **kw: Any) -> None:
        self.task_id, self.error_name = task_id, error_name
        super().__init__(message, **kw)
