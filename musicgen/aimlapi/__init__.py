"""The AI/ML API proxy, all in one package: its client (submit, poll, download), what it accepts, its tasks, and its
local stand-in (`musicgen.aimlapi.standin`). `from musicgen.aimlapi import AimlApiClient` keeps working."""

from .client import (
    DEFAULT_BASE_URL,
    ENV_API_KEY,
    ENV_BASE_URL,
    HINTS,
    POLL_READ_TIMEOUT,
    STATUS_ERRORS,
    SUBMIT_READ_TIMEOUT,
    TASKS_PATH,
    UNKNOWN_TASK_HINT,
    AimlApiClient,
    fetch_how,
)
from .requests import (
    DEFAULT_MODEL,
    ELSEWHERE,
    LYRICS_MAX,
    LYRICS_MIN,
    MODELS,
    PROMPT_MAX,
    PROMPT_MIN,
    proxy_model,
    proxy_payload,
    with_proxy_model,
)
from .tasks import TERMINAL, PollPolicy, Task, TaskFailedError

__all__ = [
    "DEFAULT_BASE_URL", "DEFAULT_MODEL", "ELSEWHERE", "ENV_API_KEY", "ENV_BASE_URL", "HINTS", "LYRICS_MAX", "LYRICS_MIN", "MODELS",
    "POLL_READ_TIMEOUT", "PROMPT_MAX", "PROMPT_MIN", "STATUS_ERRORS", "SUBMIT_READ_TIMEOUT", "TASKS_PATH", "TERMINAL",
    "UNKNOWN_TASK_HINT", "AimlApiClient", "PollPolicy", "Task", "TaskFailedError", "fetch_how", "proxy_model",
    "proxy_payload", "with_proxy_model",
]  # fmt: skip
