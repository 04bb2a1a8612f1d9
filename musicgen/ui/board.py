"""The takes board: one card per take (its status, its own player, its facts, Keep ★), and the compare player.

The board is the HTML of a results panel's first output (`live`). Gradio updates an HTML component by diffing the
new markup against the page, node by node in order, and leaves an element alone when its tag and attributes are
unchanged. So the markup keeps one skeleton for a run (every card and every part of a card is there from the start,
empty until filled), a card's <audio> keeps its attributes while it plays, and the page is re-rendered only when a
take starts playing, finishes or fails, never on a clock tick. The compare player's <audio> is made by BOARD_JS and
lives just above the board's markup, where no re-render reaches it: switching takes there sets its source and
restores the position and the play/pause state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import quote

from . import cards

LETTERS = "ABCD"
COMPARE_LABEL = "Compare takes: one player, the same moment"


@dataclass(frozen=True)
class Card:
    """What one take's card shows."""

    letter: str
    state: str = "queued"  # queued, running, receiving, done, failed, stopped
    place: int = 0  # while queued: its place in the backend's line
    src: str = ""  # what its player plays: the live stream while it arrives, then the file
    meta: dict[str, Any] | None = None  # the kept result's metadata (a failed take's partial song too)
    path: str = ""  # the kept result's file
    error: str = ""
    seed: int | None = None  # the seed asked for (backends that take one)


@dataclass
class Board:
    """One results panel's takes, kept in the visitor's server-side Session: the board is drawn again from here
    (Keep ★), and ★ acts only on these library ids, never on an id the browser sends."""

    run: str
    kind: str
    cards: list[Card]
    note: str = ""  # how the takes' settings differ
    starred: set[str] = field(default_factory=set)

    def library_id(self, letter: str) -> str:
        card = next((c for c in self.cards if c.letter == letter), None)
        return str((card.meta or {}).get("library_id") or "") if card is not None and card.state == "done" else ""


def file_url(path: Any) -> str:
    """A result file's address on the page: Gradio serves the visitor's result folder (its path holds the visitor's
    random session id, as every result's URL does; session.files_root)."""
    return "gradio_api/file=" + quote(str(path), safe="/")


def differences(seeds: list[int | None], given: bool) -> str:
    """How the takes' settings differ: the seeds on a backend that takes one, else nothing but the model's draw."""
    if not seeds or seeds[0] is None:
        return "The takes' settings are the same: the model draws each take differently."
    listed = " · ".join(f"{LETTERS[i]} {seed}" for i, seed in enumerate(seeds))
    how = "your seed counting up" if given else "a random seed each"
    return f"The takes differ only in their seed ({how}): {listed}."


def _status(card: Card) -> tuple[str, str]:
    """(css state, words) for a card's status line."""
    if card.state == "queued":
        place = f" · {cards.ordinal(card.place)} in line" if card.place else ""
        return "queued", f"Waiting for a free slot{place}"
    if card.state == "running":
        return "running", "Composing"
    if card.state == "receiving":
        return "running", "Receiving audio: playing as it arrives"
    if card.state == "done":
        return "done", "Done"
    if card.state == "stopped":
        return "failed", "Stopped"
    if card.meta:
        return "failed", f"Failed, its partial song kept: {card.error}"
    return "failed", f"Failed: {card.error}"


def _facts(card: Card) -> str:
    meta = card.meta or {}
    rows: list[tuple[str, str]] = []
    seed = meta.get("seed", card.seed)
    if seed is not None:
        rows.append(("Seed", str(seed)))
    if meta:
        rows += [
            ("Duration", cards.clock(meta.get("duration_s"))),
            ("Loudness", cards.level(meta.get("loudness_lufs"), "LUFS")),
            ("Trace id", str(meta.get("trace_id") or "–")),
        ]
    return "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in rows)


def _card(board: Board, card: Card, prefix: str) -> str:
    state, words = _status(card)
    head = f"{prefix}-take-{card.letter}"
    player = ""
    if card.src:
        player = f'<audio controls preload="auto" aria-labelledby="{head}" src="{escape(card.src)}"></audio>'
    action = ""
    if board.library_id(card.letter):
        kept = card.letter in board.starred
        label = "★ Kept" if kept else "☆ Keep"
        action = (
            f'<button type="button" class="mg-star" data-take="{card.letter}" aria-pressed="{str(kept).lower()}" '
            f'aria-label="Keep take {card.letter} (★ in your Library)">{label}</button>'
        )
    return (
        f'<li class="mg-take mg-take-{state}" data-take="{card.letter}">'
        f'<h3 id="{head}">Take {card.letter}</h3>'
        f'<p class="mg-take-status">{escape(words)}</p>'
        f'<div class="mg-take-player">{player}</div>'
        f'<dl class="mg-take-facts">{_facts(card)}</dl>'
        f'<div class="mg-take-actions">{action}</div></li>'
    )


def board_html(board: Board) -> str:
    """The board's markup: the finished takes the compare player offers (as data: BOARD_JS makes its buttons), how
    the settings differ, and the cards."""
    done = [c for c in board.cards if c.state == "done" and c.path]
    offered = "".join(f'<li data-take="{c.letter}" data-src="{escape(file_url_of(c))}"></li>' for c in done)
    return (
        f'<div class="mg-takes" data-run="{escape(board.run)}"><ul class="mg-compare-takes" hidden>{offered}</ul>'
        f'<h2 class="mg-takes-title">{len(board.cards)} takes</h2>'
        f'<p class="mg-takes-note">{escape(board.note)}</p>'
        f'<ul class="mg-take-list" aria-label="Takes">'
        f"{''.join(_card(board, c, board.kind) for c in board.cards)}</ul></div>"
    )


def file_url_of(card: Card) -> str:
    return file_url(card.path)


# Appended to the live panel's js_on_load (ui/live.PLAYER_JS plays a single live song; this runs the board).
BOARD_JS = (
    """
(() => {
  const root = element;
  const box = document.createElement('div');
  box.className = 'mg-compare'; box.hidden = true;
  const labelId = (root.id || 'mg') + '-compare-label';
  box.innerHTML = '<p class="mg-compare-label" id="' + labelId + '">"""
    + COMPARE_LABEL
    + """</p>' +
    '<audio controls preload="auto" aria-labelledby="' + labelId + '"></audio>' +
    '<div class="mg-compare-buttons" role="group" aria-label="Compare takes"></div>';
  const cmp = box.querySelector('audio'), group = box.querySelector('.mg-compare-buttons');
  const last = new WeakMap(), frozen = new WeakMap();
  let run = null, picked = null, chosen = false, autoplayed = false, offered = '';
  const players = () => [cmp, ...root.querySelectorAll('.mg-takes audio')];
  const note = (a) => { if (!frozen.has(a)) last.set(a, {t: a.currentTime, playing: !a.paused}); };
  const resume = (a, t, playing) => {
    a.addEventListener('loadedmetadata', () => {
      frozen.delete(a);
      a.currentTime = Math.min(t, isFinite(a.duration) ? a.duration : t);
      if (playing) a.play().catch(() => {});
    }, {once: true});
  };
  // A card's player whose source changes (its live stream becomes the finished file) keeps its place and state.
  root.addEventListener('emptied', (e) => {
    const a = e.target, was = last.get(a);
    if (a.tagName !== 'AUDIO' || !was || !(was.t > 0 || was.playing)) return;
    frozen.set(a, was);
    resume(a, was.t, was.playing);
  }, true);
  for (const kind of ['timeupdate', 'pause']) root.addEventListener(kind, (e) => note(e.target), true);
  // One take sounds at a time: playing one pauses the others; the first take to arrive starts by itself.
  const solo = (e) => {
    note(e.target);
    for (const a of players()) if (a !== e.target && !a.paused) a.pause();
  };
  root.addEventListener('play', solo, true);
  cmp.addEventListener('play', solo);
  root.addEventListener('canplay', (e) => {
    const a = e.target;
    if (a.tagName !== 'AUDIO' || !a.closest('.mg-takes') || autoplayed) return;
    autoplayed = true;
    if (cmp.paused) a.play().catch(() => {});
  }, true);
  // Compare: the same moment of another take, playing if it was playing, paused if it was paused.
  const pick = (b) => {
    if (!b) return;
    const t = cmp.currentTime, playing = !cmp.paused;
    picked = b.dataset.take;
    for (const x of group.children) x.setAttribute('aria-pressed', String(x === b));
    if (cmp.getAttribute('src') === b.dataset.src) return;
    cmp.src = b.dataset.src;
    resume(cmp, t, playing);
  };
  group.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (b) { chosen = true; pick(b); trigger('select', {take: b.dataset.take}); }
  });
  root.addEventListener('click', (e) => {
    const b = e.target.closest('button.mg-star');
    if (b) trigger('click', {take: b.dataset.take});
  });
  const sync = () => {
    const board = root.querySelector('.mg-takes');
    const now = board ? board.dataset.run : null;
    if (now !== run) {  // a new generation (or none): the compare player starts empty
      run = now; picked = null; chosen = false; autoplayed = false; offered = '';
      cmp.pause(); cmp.removeAttribute('src'); cmp.load();
    }
    // On the page only with a board: a single take's live player stays the panel's one <audio>.
    if (!board) { box.remove(); return; }
    if (!box.isConnected) root.parentNode.insertBefore(box, root);
    const takes = [...board.querySelectorAll('.mg-compare-takes li')];
    const now_offered = takes.map((t) => t.dataset.take + t.dataset.src).join(' ');
    if (now_offered !== offered) {
      offered = now_offered;
      group.replaceChildren(...takes.map((t) => {
        const b = document.createElement('button');
        b.type = 'button'; b.className = 'mg-compare-btn'; b.textContent = t.dataset.take;
        b.dataset.take = t.dataset.take; b.dataset.src = t.dataset.src;
        b.setAttribute('aria-label', 'Compare: play take ' + t.dataset.take + ' from the same moment');
        b.setAttribute('aria-pressed', String(t.dataset.take === picked));
        return b;
      }));
    }
    box.hidden = takes.length < 2;
    // Until the visitor picks one, the compare player holds the first take in order (A, once it is done).
    const first = group.firstElementChild;
    if (!box.hidden && !chosen && first && picked !== first.dataset.take) pick(first);
  };
  watch('value', sync);
  sync();
})();
"""
)
