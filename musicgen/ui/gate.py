"""The one gate every generation, lyrics and analysis call passes before its client is called.

`Gate.visitor(session, request)` runs first in each handler: it notes the visitor's address and checks an access code
a script sent in the X-Musicgen-Access-Code header. `Gate.spend(session, kind)` wraps the call itself: when a key
the server holds would serve it (access.served_by_server_key), it requires the access code (if one is set) and takes
one use from the budgets in the ledger (musicgen/budget.py), or refuses with a message naming the ways on. The use
is given back only when the call failed in a way that cannot have been charged. The visitor's own key and the demo
engine pass untouched: never counted, never limited.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gradio as gr
from pydantic import ValidationError

from .. import errors, providers
from ..access import (
    CODE_LOCKOUT_S,
    CODE_TRIES,
    CODE_WINDOW_S,
    HEADER,
    Policy,
    client_address,
    header_code,
    policy_from_env,
    served_by_server_key,
)
from ..audio import ReferenceError
from ..budget import CODE, SONG, THROTTLED, Ledger, seconds_to_reset
from .library_service import owner_of, valid_token
from .session import Session

log = logging.getLogger(__name__)

# Failures that mean nothing ran, so nothing can have been charged: the use is given back.
NOTHING_RAN: tuple[type[BaseException], ...] = (
    errors.AuthenticationError,
    errors.InsufficientBalanceError,
    errors.RateLimitError,
    errors.InvalidParametersError,
    errors.QuotaExceededError,
    errors.ModelUnavailableError,
    ValidationError,
    ReferenceError,
)
WAYS_ON = (
    "To go on now: paste your own MiniMax or AI/ML API key in the Settings tab (never counted), or pick the Demo "
    "engine backend there (free, made on this server, not by MiniMax)."
)
BUDGET_TITLE = "Studio key budget used up"
CODE_TITLE = "Access code needed"
WRONG_TITLE = "Access code not accepted"
THROTTLED_TITLE = "Too many wrong access codes"
OWNER_WRONG_TITLE = "Owner code not accepted"
OWNER_THROTTLED_TITLE = "Too many wrong codes"


def _wait(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _error(title: str, text: str) -> gr.Error:
    return gr.Error(f"{title}. {text}", title=title, print_exception=False)


class Gate:
    """The access code and budgets on the server's keys, for one app; `ledger` None counts nothing (handler tests
    that build Handlers alone)."""

    def __init__(self, policy: Policy | None = None, ledger: Ledger | None = None) -> None:
        self.policy = policy or Policy()
        self.ledger = ledger

    @classmethod
    def from_env(cls, data_dir: Path) -> Gate:
        """The Policy from the environment (a bad value raises ValueError naming it) and the ledger in data_dir."""
        return cls(policy_from_env(), Ledger(data_dir))

    # -- who is asking -------------------------------------------------------------------------------------------

    def visitor(self, session: Session | None, request: Any = None) -> Session:
        """The visitor's Session, with the address of this request and the access code a script sent, if any."""
        session = session if session is not None else Session()
        session.code_required = bool(self.policy.code)
        if request is not None:
            session.address = client_address(request, self.policy.trust_proxy)
        sent = header_code(request)
        if sent and self.policy.code and not session.access_granted:
            problem = self.try_code(sent, session)
            if problem is not None:
                raise problem
        return session

    def try_code(self, given: str, session: Session, *, owner: bool = False) -> gr.Error | None:
        """Check an access code (or with `owner`, the showcase owner's code) from this visitor (Settings or the
        header): None when accepted (the session is then served by the server's keys, or may curate the showcase),
        else the error to show. Both codes share one throttle: too many wrong ones pause the address."""
        what = "owner code" if owner else "access code"
        who = session.address or _browser(session)
        if self.ledger is not None:
            wait = self.ledger.locked_for(who)
            if wait > 0:
                self.ledger.refuse(THROTTLED, "", who)
                return _error(
                    OWNER_THROTTLED_TITLE if owner else THROTTLED_TITLE,
                    f"Your address entered {CODE_TRIES} wrong codes within {CODE_WINDOW_S / 60:.0f} minutes: "
                    f"try again in {_wait(wait)}. Until then your own key or the Demo engine still work.",
                )
        if (self.policy.owner_code_matches if owner else self.policy.code_matches)(given):
            if owner:
                session.is_owner = True
            else:
                session.access_granted = True
            return None
        left = CODE_TRIES
        if self.ledger is not None:
            self.ledger.refuse(CODE, "", who)
            left = self.ledger.code_failed(who, CODE_TRIES, CODE_WINDOW_S, CODE_LOCKOUT_S)
        pause = (
            f"{left} more wrong {'try' if left == 1 else 'tries'} and your address is paused for "
            f"{CODE_LOCKOUT_S / 60:.0f} minutes"
            if left
            else f"your address is now paused for {CODE_LOCKOUT_S / 60:.0f} minutes"
        )
        title = OWNER_WRONG_TITLE if owner else WRONG_TITLE
        ask = "the studio's owner sets it" if owner else "check it with whoever invited you"
        return _error(title, f"That is not the {what} ({pause}). {ask[0].upper()}{ask[1:]}.")

    # -- the gate ------------------------------------------------------------------------------------------------

    @contextmanager
    def spend(self, session: Session, kind: str) -> Iterator[None]:
        """Around one call: take a use when the server's key serves it (refusing with gr.Error when the code is
        missing or a budget is spent), and give it back if the call failed before anything could be charged."""
        provider = session.provider()
        if not served_by_server_key(provider, session):
            yield
            return
        if self.policy.code and not session.access_granted:
            if self.ledger is not None:
                self.ledger.refuse(CODE, provider, session.address or _browser(session))
            raise _error(
                CODE_TITLE,
                "The studio's own key serves invited guests only: enter the access code in the Settings tab (scripts "
                f"send it in the {HEADER} header). Or paste your own MiniMax or AI/ML API key in Settings, or pick "
                "the Demo engine backend there.",
            )
        if self.ledger is None:
            yield
            return
        limits = self.policy.limits(kind)
        taken = self.ledger.take(kind, provider, owner_of(session), session.address, limits)
        if kind == SONG:
            session.songs_left = None if taken.left is None else (taken.left, self._song_allowance())
        if taken.use_id is None:
            raise _error(BUDGET_TITLE, self._spent(kind, taken.refused, limits))
        try:
            yield
        except BaseException as exc:
            if isinstance(exc, NOTHING_RAN):
                self.ledger.give_back(taken.use_id)
                if kind == SONG and session.songs_left is not None:
                    session.songs_left = (session.songs_left[0] + 1, session.songs_left[1])
            raise

    def songs_left(self, session: Session) -> int | None:
        """Songs this visitor may still make today on the server's keys, as the ledger has it now; None when the
        server's key does not serve it or no song budget is set. Reads only: nothing is taken."""
        limits = self.policy.limits(SONG)
        if self.ledger is None or (limits.per_visitor is None and limits.per_day is None):
            return None
        if not served_by_server_key(session.provider(), session):
            return None
        return self.ledger.left(SONG, _browser(session), session.address, limits)

    def _song_allowance(self) -> int:
        p = self.policy
        return p.songs_per_visitor if p.songs_per_visitor is not None else p.songs_per_day or 0

    def _spent(self, kind: str, which: str, limits: Any) -> str:
        reset = f"It starts again at 00:00 UTC (in {_wait(seconds_to_reset(self.ledger.clock()))})."  # type: ignore[union-attr]
        if which == "day":
            first = f"The studio's key has made all {limits.per_day} songs it makes per day for all visitors together."
        elif kind == SONG:
            first = f"You have made all {limits.per_visitor} songs the studio's key offers each visitor per day."
        else:
            first = (
                f"You have used all {limits.per_visitor} lyrics and cover-analysis calls the studio's key offers each "
                "visitor per day."
            )
        return f"{first} {reset} {WAYS_ON}"

    # -- what the page shows -------------------------------------------------------------------------------------

    def refresh(self, session: Session, request: Any = None) -> Session:
        """Update the session's count of songs left (for the badge) from the ledger."""
        if request is not None:
            session.address = client_address(request, self.policy.trust_proxy)
        session.code_required = bool(self.policy.code)
        limits = self.policy.limits(SONG)
        if self.ledger is None or (limits.per_visitor is None and limits.per_day is None):
            session.songs_left = None
            return session
        owner = session.owner_token if valid_token(session.owner_token) else ""
        left = self.ledger.left(SONG, owner, session.address, limits)
        session.songs_left = None if left is None else (left, self._song_allowance())
        return session


def _browser(session: Session) -> str:
    return session.owner_token if valid_token(session.owner_token) else ""


def budget_note(session: Session) -> str:
    """The line under the backend badge: songs left on the studio's key, or why the studio's key is not in use."""
    provider = session.provider()
    if served_by_server_key(provider, session):
        if session.code_required and not session.access_granted:
            return "The studio's key needs the access code: enter it in Settings, or use your own key."
        if session.songs_left is not None:
            left, of = session.songs_left
            return f"Studio key: {left} of {of} songs left today · resets 00:00 UTC"
        return ""
    studio_has_key = providers.default_provider() != providers.DEMO
    if provider == providers.DEMO and studio_has_key and session.code_required and not session.access_granted:
        return (
            "The studio's own key is for invited guests: enter the access code in Settings for real songs, or "
            "paste your own key there. Until then the demo engine answers."
        )
    return ""
