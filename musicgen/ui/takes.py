"""Takes: one click makes 2–4 generations side by side.

Each take is one `generation.attempt()` (the one path: the gate's use, the backend's slot, the runner, the result
kept and saved) driven by its own thread; the threads put their tagged events in one queue, which the page's
generator reads to draw the takes board (ui/board.py) and the status line. A take that fails does not stop the
others. Closing the page's generator (Stop) sets an event each thread checks between steps (at least once a tick);
the thread then closes its attempt, which closes its HTTP call and gives its slots back.

Before any call: a number of takes outside 1..TAKES_MAX is refused naming the field, and so is asking for more takes
than the visitor has songs left on the server's key today.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from .. import config
from ..library import LibraryError
from ..requests import SEED_MAX, random_seed
from . import cards, runner
from .board import LETTERS, Board, Card, board_html, differences, file_url
from .errors import field_error
from .generation import Kept, Outputs, TakeFailed, attempt, estimate
from .library_service import owner_of, visitor_message
from .live import LiveStream
from .session import Session

if TYPE_CHECKING:
    from .handlers import Handlers

log = logging.getLogger(__name__)
_DONE = object()
JOIN_S = 5.0  # after Stop, how long the page waits for each take's thread to close its call


def count(takes: Any) -> int:
    """The Takes field as a number of takes, or gr.Error naming the field and its limits (a script could send 99)."""
    text = str(takes if takes is not None else "").strip() or str(config.DEFAULT_TAKES)
    try:
        n = int(float(text))
    except ValueError:
        n = 0
    if str(n) != text.removesuffix(".0") or not 1 <= n <= config.TAKES_MAX:
        raise field_error("Takes", f"a whole number from 1 to {config.TAKES_MAX}, not {text!r}")
    return n


def refuse_over_budget(h: Handlers, session: Session, n: int) -> None:
    """More takes than songs left on the server's key today: refused before any call, naming the field."""
    left = h.gate.songs_left(session)
    if n > 1 and left is not None and left < n:
        songs = f"{left} song{'' if left == 1 else 's'}"
        raise field_error(
            "Takes",
            f"you asked for {n} takes, and the studio's key has {songs} left for you today (each take is a song): "
            f"ask for at most {left}, or use your own key in Settings (never counted)",
        )


def requests_for(request: Any, n: int, seed_given: bool) -> list[Any]:
    """Take A's request and its siblings. With a given seed, take A uses it and B, C, D seed+1, +2, +3 (so they
    differ and can be made again); with a blank one each take draws its own. Backends without seeds: the same."""
    seed = getattr(request, "seed", None)
    if seed is None:
        return [request] * n
    if seed_given:
        return [request.model_copy(update={"seed": (seed + i) % (SEED_MAX + 1)}) for i in range(n)]
    return [request] + [request.model_copy(update={"seed": random_seed()}) for _ in range(n - 1)]


def _drive(h: Handlers, kind: str, i: int, request: Any, session: Session, inbox: queue.Queue, stop: threading.Event,
           job: runner.Job | None) -> None:  # fmt: skip
    """One take's thread: its attempt's events go into the page's queue, tagged with the take's index."""
    params = request.model_dump(exclude={"audio_base64"}, exclude_none=True)
    steps = attempt(h, kind, request, session, params, job=job)
    try:
        for item in steps:
            if stop.is_set():
                break
            inbox.put((i, item))
    except (TakeFailed, gr.Error) as exc:
        inbox.put((i, exc))
    except Exception as exc:  # a bug: this take says so, the others go on
        log.exception("A take failed unexpectedly")
        inbox.put((i, exc))
    finally:
        steps.close()  # Stop: closes the runner, its HTTP call, and gives the slots back
        inbox.put((i, _DONE))


def _update(card: Card, item: Any, live: str) -> Card:
    """A take's card after one of its events (`live`: its live stream's URL, once opened)."""
    if isinstance(item, runner.Step):
        if item.stage == "queued":
            return replace(card, state="queued", place=item.place)
        if card.state == "receiving":
            return card
        if item.received > 0 and live:  # its player appears with the first bytes, on the live stream
            return replace(card, state="receiving", place=0, src=live)
        return replace(card, state="running", place=0)
    if isinstance(item, Kept):
        return replace(card, state="done", meta=item.metadata, path=str(item.path), src=file_url(item.path))
    if isinstance(item, TakeFailed):
        kept = item.kept
        if kept is None:
            return replace(card, state="failed", error=item.error.message)
        return replace(
            card, state="failed", error=item.error.message, meta=kept.metadata, path=str(kept.path),
            src=file_url(kept.path),
        )  # fmt: skip
    if isinstance(item, gr.Error):  # the gate refused it: nothing was sent
        return replace(card, state="failed", error=item.message)
    if isinstance(item, BaseException):
        return replace(card, state="failed", error="Something went wrong on the server.")
    return card


def _line(takes: list[Card], steps: dict[int, runner.Step], provider: str, wait: float | None) -> str:
    """The info panel while takes run: each take's stage in a word, and the time."""
    parts = []
    for i, card in enumerate(takes):
        step = steps.get(i)
        if card.state == "done":
            parts.append(f"{card.letter} done")
        elif card.state == "failed":
            parts.append(f"{card.letter} failed")
        elif card.state == "queued":
            parts.append(
                f"{card.letter} {cards.ordinal(card.place)} in line" if card.place else f"{card.letter} queued"
            )
        else:
            stage = cards.stage_text(step.stage, provider) if step else "Sending"
            parts.append(f"{card.letter} {'receiving' if card.state == 'receiving' else stage.split(' —')[0].lower()}")
    elapsed = max((s.elapsed_s for s in steps.values()), default=0.0)
    text = f"{len(takes)} takes: " + " · ".join(parts)
    extra = f" · about {cards.clock(wait)} for this length cap" if wait else ""
    calm = int(elapsed // cards.ANNOUNCE_EVERY_S) * cards.ANNOUNCE_EVERY_S  # read out every 30 s, not every tick
    said = f"{text}, {cards.clock(calm)} elapsed" if calm else text
    return cards.info_panel(
        f'<div class="mg-status" aria-hidden="true"><span class="mg-spinner"></span>'
        f"<b>{cards.escape(text)}</b> · {cards.clock(elapsed)} elapsed{extra}</div>",
        said if any(c.state not in ("done", "failed") for c in takes) else text,
    )


def _summary(takes: list[Card]) -> dict[str, Any]:
    """Each take's metadata for scripts: the kept song's, or why it failed."""
    out = []
    for card in takes:
        entry: dict[str, Any] = {"take": card.letter, "status": card.state}
        entry.update({k: v for k, v in (card.meta or {}).items() if k != "recipe"})
        if card.error:
            entry["error"] = card.error
        out.append(entry)
    return {"takes": out}


def run(
    h: Handlers,
    kind: str,
    request: Any,
    session: Session,
    progress: gr.Progress,
    n: int,
    *,
    seed_given: bool = False,
    job: runner.Job | None = None,
) -> Iterator[Outputs]:
    """N takes on the page: the board (first output) with a card per take, re-drawn only when a take starts
    playing, finishes or fails; the status line every tick; the finished player, download and metadata of take A
    (or, if it failed, the first take that finished), with every take's metadata under "takes"."""
    refuse_over_budget(h, session, n)
    provider = session.provider()
    owner_of(session), session.key()  # made once here, not by several take threads at once
    requests = requests_for(request, n, seed_given)
    wait = estimate(request)
    board = Board(
        run=secrets.token_hex(8), kind=kind, note=differences([getattr(r, "seed", None) for r in requests], seed_given),
        cards=[Card(LETTERS[i], seed=getattr(r, "seed", None)) for i, r in enumerate(requests)],
    )  # fmt: skip
    session.boards[kind] = board
    inbox: queue.Queue = queue.Queue()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=_drive, args=(h, kind, i, r, session, inbox, stop, job), name=f"take-{LETTERS[i]}", daemon=True
        )  # fmt: skip
        for i, r in enumerate(requests)
    ]
    yield board_html(board), None, None, None, _line(board.cards, {}, provider, wait)
    for thread in threads:
        thread.start()
    steps: dict[int, runner.Step] = {}
    lives: dict[int, str] = {}
    running = len(threads)
    try:
        while running:
            batch = [inbox.get()]
            while True:  # everything that arrived meanwhile: one page update for all of it
                try:
                    batch.append(inbox.get_nowait())
                except queue.Empty:
                    break
            before = [_shape(c) for c in board.cards]
            main = None
            for i, item in batch:
                if item is _DONE:
                    running -= 1
                elif isinstance(item, LiveStream):
                    lives[i] = item.url
                else:
                    if isinstance(item, runner.Step):
                        steps[i] = item
                    board.cards[i] = _update(board.cards[i], item, lives.get(i, ""))
                    main = item if isinstance(item, Kept) and i == 0 else main
            if running == 0:
                break
            redraw = [_shape(c) for c in board.cards] != before
            elapsed = max((s.elapsed_s for s in steps.values()), default=0.0)
            progress(None, desc=f"{n} takes · {cards.clock(elapsed)}")
            files: tuple[Any, ...] = (gr.skip(), gr.skip(), gr.skip())
            if main is not None:  # take A is ready: below the board, as a single take would be
                files = (str(main.path), str(main.download_path), main.metadata)
            yield board_html(board) if redraw else gr.skip(), *files, _line(board.cards, steps, provider, wait)
    finally:
        stop.set()
        for thread in threads:
            thread.join(JOIN_S)
    yield from _finish(board)


def _shape(card: Card) -> tuple[Any, ...]:
    """What changes a card's markup (its clock does not)."""
    return card.state, card.place, card.src, card.error


def _finish(board: Board) -> Iterator[Outputs]:
    """The last yield: take A's (or the first finished take's) files, every take's metadata; all failed: an error."""
    summary = _summary(board.cards)
    main = next((c for c in board.cards if c.state == "done"), None) or next((c for c in board.cards if c.meta), None)
    if main is None:
        first = board.cards[0]
        message = f"All {len(board.cards)} takes failed. Take {first.letter}: {first.error}"
        yield board_html(board), gr.skip(), gr.skip(), summary, cards.failed_info(message)
        raise gr.Error(message, title="Takes failed", print_exception=False)
    failed = [c.letter for c in board.cards if c.state == "failed"]
    head = f"{len(board.cards)} takes: take {main.letter} is below"
    if failed:
        head += f"; take{'s' if len(failed) > 1 else ''} {', '.join(failed)} failed (see {'their' if len(failed) > 1 else 'its'} card)"
    meta = {**(main.meta or {}), **summary}
    info = cards.info_panel(cards.notice(head + ".") + cards.metadata_card(main.meta), head + ".")
    yield board_html(board), main.path, _download(main), meta, info


def _download(card: Card) -> str:
    """A take's download: the file encoded here when there is one (mp3 from a WAV-only backend), else its file."""
    name = (card.meta or {}).get("download")
    return str(Path(card.path).with_name(name)) if name else card.path


def keep(h: Handlers, kind: str, letter: Any, session: Session) -> Any:
    """Keep ★ on a finished take of this visitor's last takes on that panel: marks (or unmarks) its library song.

    Only the letter comes from the page; the song's id is the one this session's board holds, so no one can mark
    another visitor's song. Returns the board drawn again (or gr.skip() with a note when there is nothing to mark)."""
    board = session.boards.get(kind)
    entry = board.library_id(str(letter)) if isinstance(board, Board) else ""
    if not isinstance(board, Board) or not entry or h.library is None:
        gr.Warning("That take is not in your library, so it cannot be kept.")
        return gr.skip()
    starred = letter not in board.starred
    try:
        h.library.set_starred(session, entry, starred)
    except LibraryError as exc:
        gr.Warning(visitor_message(exc))
        return gr.skip()
    board.starred = board.starred ^ {letter}
    return board_html(board)


def show(kind: str, letter: Any, session: Session) -> tuple[Any, ...]:
    """The take picked in the compare player goes below the board (player, download, metadata with every take's,
    its card): "Finished download" and "Copy as code" then act on it. Only this session's own takes."""
    board = session.boards.get(kind)
    card = next((c for c in board.cards if c.letter == letter), None) if isinstance(board, Board) else None
    if not isinstance(board, Board) or card is None or card.state != "done" or not card.meta:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    head = f"Take {card.letter} of {len(board.cards)} is below."
    info = cards.info_panel(cards.notice(head) + cards.metadata_card(card.meta), head)
    return card.path, _download(card), {**card.meta, **_summary(board.cards)}, info


def stopped(kind: str, session: Session) -> Any:
    """After Stop: the takes that had not finished say so on their cards (their calls are closed); the board of
    the last takes on this panel, or gr.skip() when the last generation there was a single take."""
    board = session.boards.get(kind)
    if not isinstance(board, Board):
        return gr.skip()
    board.cards = [c if c.state in ("done", "failed") else replace(c, state="stopped") for c in board.cards]
    return board_html(board)
