"""Settings events for the second provider: the visitor's AI/ML API key, and the tab notes that follow the backend."""

from __future__ import annotations

from typing import Any

import gradio as gr

from .. import providers
from ..music3 import check_server_url, visitor_servers_allowed
from . import cards, events, provider_notes
from .events import INSTANT
from .layout_settings import SettingsTab
from .session import Session


def set_aimlapi_key(key: str, session: Session) -> tuple[Session, str, str]:
    """Keep the visitor's AI/ML API key server-side; giving one picks the AI/ML API, clearing it goes automatic."""
    session.aimlapi_key = (key or "").strip()
    if session.aimlapi_key:
        session.backend = providers.AIMLAPI
    elif session.backend == providers.AIMLAPI:
        session.backend = ""
    return session, session.provider(), events.badge(session)


def backend_health(session: Session) -> dict[str, Any]:
    """The chosen backend's health (its record's check, made now), shown under the choice; hidden when it has none."""
    record = session.record()
    if record.health is None:
        return gr.update(value="", visible=False)
    health = record.health(session.access())
    return gr.update(value=cards.notice(health.text, "done" if health.ok else "error"), visible=True)


def set_server_url(url: str, session: Session) -> tuple[Session, Any, str, dict[str, Any]]:
    """The visitor's own MiniMax-Music3 server, when visitors may bring one (never on a Space): kept in the
    session, picked as the backend and checked at once. Otherwise nothing changes, whatever was sent."""
    if not visitor_servers_allowed():
        return session, gr.skip(), events.badge(session), gr.skip()
    url = (url or "").strip()
    if url:
        try:
            url = check_server_url(url)
        except ValueError as exc:
            return (
                session,
                gr.skip(),
                events.badge(session),
                gr.update(value=cards.notice(str(exc), "error"), visible=True),
            )
        session.urls[providers.MUSIC3] = url
        session.backend = providers.MUSIC3
    else:
        session.urls.pop(providers.MUSIC3, None)
    return session, session.provider(), events.badge(session), backend_health(session)


def takes_visible(backend: str) -> tuple[dict[str, Any], ...]:
    """The Seed / Length groups (Song, Instrumental) show for backends that take them."""
    record = providers.REGISTRY.get(backend)
    shown = bool(record and (record.can.seed or record.can.max_seconds))
    return gr.update(visible=shown), gr.update(visible=shown)


def wire_takes(tab: SettingsTab, session: gr.State, badge_html: gr.HTML, takes: list[gr.Group]) -> None:
    """The Seed / Length groups follow the backend; the visitor's server URL box (when shown) sets and checks it."""
    tab.backend.change(takes_visible, tab.backend, takes, **INSTANT)
    tab.server_url.change(
        set_server_url, [tab.server_url, session], [session, tab.backend, badge_html, tab.health],
        concurrency_id="calls", **events.PRIVATE,
    )  # fmt: skip


def models_for(provider: str, *current: str) -> tuple[dict[str, Any], ...]:
    """The model menus for this backend: its song models, keeping each menu's choice where the backend has it."""
    can = providers.get(provider).can
    return tuple(
        gr.update(choices=list(can.song_models), value=m if m in can.song_models else can.default_model)
        for m in current
    )


def wire_provider(
    tab: SettingsTab, session: gr.State, badge_html: gr.HTML, notes: list[gr.HTML], models: list[gr.Dropdown]
) -> None:
    """The AI/ML API key box, the backend radio (with its health check), and what follows it: the notes (in
    provider_notes.TABS order) and the Song and Instrumental model menus (`models`)."""
    # .change, not .input: a pasted or password-manager-filled key must count too.
    tab.aimlapi_key.change(set_aimlapi_key, [tab.aimlapi_key, session], [session, tab.backend, badge_html], **INSTANT)
    # The radio changes on the visitor's click and when a key box picks a backend: either way the notes follow.
    tab.backend.change(provider_notes.tab_notes, tab.backend, notes, **INSTANT)
    tab.backend.change(models_for, [tab.backend, *models], models, **INSTANT)
    # The visitor's pick goes into the session; then a backend with a health check (a self-hosted server) is
    # checked, queued like any call that may wait on the network.
    picked = tab.backend.input(events.set_backend, [tab.backend, session], [session, badge_html], **INSTANT)
    picked.then(backend_health, session, tab.health, concurrency_id="calls", **events.PRIVATE)
