"""A backend's line: at most its concurrency at once, the rest wait first come first served and know their place."""

from __future__ import annotations

import threading

import pytest

from musicgen.ui.cards import ordinal, status_line
from musicgen.ui.slots import Line


def test_the_seventeenth_waits_first_in_line_and_moves_up_as_songs_finish():
    line = Line(16)
    running = [object() for _ in range(16)]
    assert all(line.enter(t, timeout=0) == 0 for t in running)
    waiting = [object() for _ in range(3)]
    assert [line.enter(t, timeout=0) for t in waiting] == [1, 2, 3]
    line.leave(running[0], holding=True)
    assert line.enter(waiting[1], timeout=0) == 2  # no jumping the line: the first waiting one is owed the slot
    assert line.enter(waiting[0], timeout=0) == 0 and line.enter(waiting[1], timeout=0) == 1
    assert (line.running, line.waiting) == (16, 2)


def test_stop_while_waiting_steps_out_of_line():
    line = Line(1)
    first, second, third = object(), object(), object()
    assert line.enter(first, timeout=0) == 0
    assert (line.enter(second, timeout=0), line.enter(third, timeout=0)) == (1, 2)
    line.leave(second, holding=False)  # its visitor pressed Stop
    assert line.enter(third, timeout=0) == 1
    line.leave(first, holding=True)
    assert line.enter(third, timeout=0) == 0 and line.waiting == 0


def test_a_waiter_is_woken_when_a_slot_comes_free():
    line = Line(1)
    holder, waiter = object(), object()
    assert line.enter(holder, timeout=0) == 0
    got = []
    t = threading.Thread(target=lambda: got.append(line.enter(waiter, timeout=60)))
    t.start()
    while line.waiting == 0:  # wait until it is in line (counted, not timed)
        threading.Event().wait(0.01)
    line.leave(holder, holding=True)
    t.join(60)
    assert got == [0] and line.running == 1


def test_the_place_in_line_is_shown_in_words():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
    ]  # fmt: skip
    assert "Waiting for a free slot · 2nd in line" in status_line("queued", 3.0, place=2)
    with pytest.raises(ValueError):
        Line(0)
