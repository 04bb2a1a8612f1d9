"""Who may spend the server's own keys: the access code, the budgets, and which address a request comes from.

Everything here is read from the environment once, when the app is built (policy_from_env), and a bad value stops
the app from starting with a message naming the variable.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from typing import Any

from . import providers
from .budget import Limits

ENV_CODE = "MUSICGEN_ACCESS_CODE"
ENV_OWNER_CODE = "MUSICGEN_OWNER_CODE"  # the showcase owner's code: publish, unpublish, reorder (musicgen/showcase.py)
ENV_SONGS_PER_VISITOR = "MUSICGEN_SERVER_SONGS_PER_VISITOR"
ENV_SONGS_PER_DAY = "MUSICGEN_SERVER_SONGS_PER_DAY"
ENV_TRUST_PROXY = "MUSICGEN_TRUST_PROXY"
ENV_SPACE_ID = "SPACE_ID"  # set by Hugging Face on every Space
ENV_UVICORN_FORWARDED = "FORWARDED_ALLOW_IPS"  # uvicorn's list of peers whose X-Forwarded-For it believes
HEADER = "X-Musicgen-Access-Code"  # how scripts send the code (gradio_client: Client(url, headers={HEADER: code}))

SPACE_SONGS_PER_VISITOR = 5  # per UTC day, on a Space; unlimited elsewhere
SPACE_SONGS_PER_DAY = 100
HELPER_FACTOR = 4  # lyrics writing and cover analysis: four times the song allowance, per visitor
CODE_TRIES = 5  # wrong codes from one address within CODE_WINDOW_S ...
CODE_WINDOW_S = 600.0
CODE_LOCKOUT_S = 600.0  # ... refuse that address for this long
UNLIMITED = "unlimited"


@dataclass(frozen=True)
class Policy:
    """The access code and budgets for the server's own keys."""

    code: str = field(default="", repr=False)
    owner_code: str = field(default="", repr=False)
    songs_per_visitor: int | None = None  # None: no limit
    songs_per_day: int | None = None
    trust_proxy: bool = False  # take the client address from the proxy's X-Forwarded-For entry

    def limits(self, kind: str) -> Limits:
        """The Limits for a song, or for a helper call (lyrics, cover analysis, music-01 upload)."""
        if kind == "song":
            return Limits(self.songs_per_visitor, self.songs_per_day)
        per = None if self.songs_per_visitor is None else self.songs_per_visitor * HELPER_FACTOR
        return Limits(per, None)

    def code_matches(self, given: str) -> bool:
        """Whether `given` is the access code, compared in constant time."""
        return _same(given, self.code)

    def owner_code_matches(self, given: str) -> bool:
        """Whether `given` is the showcase owner's code, compared in constant time."""
        return _same(given, self.owner_code)


def _same(given: str, code: str) -> bool:
    """The one comparison every code goes through: never true for an unset code, constant time otherwise."""
    return bool(code) and hmac.compare_digest(str(given or "").strip().encode(), code.encode())


def _count(name: str, on_space: bool, space_default: int) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return space_default if on_space else None
    if raw.lower() == UNLIMITED:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"{name}={raw!r} is not a whole number of songs (use e.g. 5, 0 for none, or '{UNLIMITED}')"
        ) from None
    if value < 0:
        raise ValueError(f"{name} must be 0 or more (or '{UNLIMITED}'), got {raw!r}")
    return value


def policy_from_env() -> Policy:
    """The Policy from MUSICGEN_ACCESS_CODE, MUSICGEN_OWNER_CODE, MUSICGEN_SERVER_SONGS_PER_VISITOR / _PER_DAY and
    MUSICGEN_TRUST_PROXY; raises ValueError naming the variable for a value that is not allowed."""
    on_space = bool(os.environ.get(ENV_SPACE_ID, "").strip())
    trust = os.environ.get(ENV_TRUST_PROXY, "").strip()
    if trust not in ("", "0", "1"):
        raise ValueError(f"{ENV_TRUST_PROXY} must be 0 or 1, got {trust!r}")
    code = os.environ.get(ENV_CODE, "").strip()
    owner_code = os.environ.get(ENV_OWNER_CODE, "").strip()
    if owner_code and owner_code == code:
        raise ValueError(f"{ENV_OWNER_CODE} must differ from {ENV_CODE}: every invited guest could publish otherwise")
    return Policy(
        code=code,
        owner_code=owner_code,
        songs_per_visitor=_count(ENV_SONGS_PER_VISITOR, on_space, SPACE_SONGS_PER_VISITOR),
        songs_per_day=_count(ENV_SONGS_PER_DAY, on_space, SPACE_SONGS_PER_DAY),
        trust_proxy=trust == "1" or (trust == "" and on_space),
    )


def served_by_server_key(provider: str, session: Any) -> bool:
    """Whether a request on `provider` for this visitor would be served by a key the server holds (MINIMAX_API_KEY,
    AIMLAPI_KEY, or any backend the server is configured with) rather than the visitor's own key or the demo
    engine. The one test every budget and the access code key off."""
    return providers.get(provider).server_held(session.access(provider))  # the backend's record decides


def keep_the_real_peer() -> None:
    """Make uvicorn (which serves Gradio) leave the connecting peer alone. By default it replaces the peer with an
    X-Forwarded-For entry whenever the peer is 127.0.0.1 or ::1 (FORWARDED_ALLOW_IPS), so any local process could
    claim any address; client_address decides instead. An operator's own FORWARDED_ALLOW_IPS is kept."""
    os.environ.setdefault(ENV_UVICORN_FORWARDED, "")


def client_address(request: Any, trust_proxy: bool) -> str:
    """The address a request comes from: the connecting peer, or behind a trusted proxy the entry that proxy
    appended to X-Forwarded-For (the right-most one; any entries to its left were sent by the client and may be
    forged). '' when unknown (an in-process call)."""
    if request is None:
        return ""
    if trust_proxy:
        entries = [e.strip() for v in _header(request, "x-forwarded-for") for e in v.split(",") if e.strip()]
        if entries:
            return entries[-1]
    client = getattr(request, "client", None)
    return str(getattr(client, "host", "") or "")


def header_code(request: Any) -> str:
    """The access code a script sent in the X-Musicgen-Access-Code header ('' when none)."""
    values = _header(request, HEADER.lower()) if request is not None else []
    return values[-1].strip() if values else ""


def _header(request: Any, name: str) -> list[str]:
    """Every value of a header (lower-case name): a live request has Starlette's Headers, a queued one rebuilt by
    Gradio a plain mapping."""
    headers = getattr(request, "headers", None)
    if headers is None:
        return []
    if hasattr(headers, "getlist"):
        return [str(v) for v in headers.getlist(name)]
    try:
        return [str(headers[name])] if name in headers else []
    except (KeyError, TypeError):
        return []
