"""The one place where client exceptions and invalid input become messages that say what to do next."""

from __future__ import annotations

import gradio as gr
from pydantic import ValidationError

from .. import errors, providers
from ..audio import ReferenceError
from ..providers.ways import closed_door
from ..requests import describe_validation_error

# Most specific first: the first matching class gives the title.
_TITLES: tuple[tuple[type[BaseException], str], ...] = (
    (errors.AuthenticationError, "API key not accepted"),
    (errors.RateLimitError, "Rate limited"),
    (errors.InsufficientBalanceError, "Balance too low"),
    (errors.QuotaExceededError, "Quota used up"),
    (errors.ContentFlaggedError, "Content flagged"),
    (errors.InvalidParametersError, "Invalid parameters"),
    (errors.ModelUnavailableError, "Model unavailable"),
    (errors.ServerError, "MiniMax server error"),
    (errors.APITimeoutError, "No answer in time"),
    (errors.APIConnectionError, "Connection problem"),
    (errors.StreamTruncatedError, "Stream cut off"),
    (errors.AudioError, "Unusable audio"),
    (errors.APIError, "MiniMax error"),
    (ReferenceError, "Reference track problem"),
    (ValidationError, "Check the form"),
)
SETTINGS_HINT = (
    "Open the Settings tab to paste your own MiniMax key (kept on the server for this session only) and pick the "
    "region it was issued for (a global key works only on api.minimax.io, a mainland-China key only on "
    "api.minimaxi.com), or set MINIMAX_API_KEY on the server (a Space secret). The Demo engine backend needs no key."
)
OTHER_SETTINGS_HINT = (
    "Open the Settings tab to paste your own {label} key (kept on the server for this session only), or set "
    "{env} on the server (a Space secret). Or pick another backend there: MiniMax, or the Demo engine (no key)."
)
REFERENCE_RULES = "Use an mp3, wav, flac or ogg clip of 6 s to 6 min and at most 50 MB."


def title_for(exc: BaseException) -> str:
    """The toast title for an exception."""
    return next((title for cls, title in _TITLES if isinstance(exc, cls)), "Something went wrong")


def message_for(exc: BaseException, *, partial_name: str = "") -> str:
    """What happened and what to do next, with the trace id; mentions saved partial audio by file name."""
    if isinstance(exc, ValidationError):
        return describe_validation_error(exc)
    if isinstance(exc, ReferenceError):
        return f"{_sentence(str(exc))} {REFERENCE_RULES}"
    if not isinstance(exc, errors.MusicGenError):
        return _sentence(str(exc) or type(exc).__name__)
    parts = [_sentence(exc.message)]
    if isinstance(exc, errors.RateLimitError):
        wait = f"about {exc.retry_after:.0f} s" if exc.retry_after else "a minute"
        parts.append(f"Wait {wait} before trying again; other visitors may be sharing the same key.")
    elif isinstance(exc, errors.AuthenticationError):
        # Where to set the key in the studio (and, for MiniMax, the region rule).
        parts.append(_settings_hint(exc.provider))
    elif closed_door(exc):
        parts = [closed_door(exc)]  # its own words replace the server's terse message
    elif exc.hint and not (partial_name and isinstance(exc, errors.StreamTruncatedError)):
        parts.append(_sentence(exc.hint))  # (a truncated stream's hint only says what the next line says better)
    if partial_name:
        parts.append(f"The audio that arrived before the failure is kept: download {partial_name} below.")
    codes = []
    if exc.code is not None:
        codes.append(f"code {exc.code}")
    if exc.trace_id:
        codes.append(f"trace id {exc.trace_id}")
    if codes:
        parts.append(f"({', '.join(codes)})")
    return " ".join(parts)


def to_gr_error(exc: BaseException, *, secret: str | tuple[str, ...] = "", partial_name: str = "") -> gr.Error:
    """A gr.Error for any failure; `secret` (an API key, or several) is scrubbed from the text in case a server
    echoed it."""
    title = title_for(exc)
    record = _raised_by(exc)
    if record is not None and record.name != providers.MINIMAX:  # another backend's failures are not MiniMax's own
        title = title.replace("MiniMax", record.label)
    if isinstance(exc, errors.RateLimitError) and exc.retry_after:
        title = f"{title}: wait {exc.retry_after:.0f} s"
    # The page's toast shows only the message (its header just says "Error"), so the message leads with the title.
    message = f"{title}. {message_for(exc, partial_name=partial_name)}"
    for key in (secret,) if isinstance(secret, str) else secret:
        if key:
            message = message.replace(key, "•••")
    return gr.Error(message, title=title, print_exception=False)


def field_error(field: str, problem: str) -> gr.Error:
    """An input problem caught before any call, naming the field."""
    return gr.Error(f"Check the form. {field}: {problem}", title="Check the form", print_exception=False)


def _raised_by(exc: BaseException) -> providers.Provider | None:
    """The record of the backend a client error came from (errors carry their provider), if known."""
    name = getattr(exc, "provider", "") if isinstance(exc, errors.MusicGenError) else ""
    return providers.REGISTRY.get(name) if name else None


def _settings_hint(provider: str) -> str:
    """Where to give a key for this backend in the studio (MiniMax's: with the region rule)."""
    record = providers.REGISTRY.get(provider)
    if record is None or record.name == providers.MINIMAX or not record.key_env:
        return SETTINGS_HINT
    return OTHER_SETTINGS_HINT.format(label=record.label, env=record.key_env)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?", ")")) else text + "."
