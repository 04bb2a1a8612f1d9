"""The line in front of a limited backend: at most `limit` at once, the rest in arrival order, told their place."""

import threading

import pytest

from musicgen.ui.admission import Line


def admitted(waiting) -> bool:
    """Step a waiting generator once: True when it was admitted (returned), False when it yielded a place."""
    try:
        next(waiting)
    except StopIteration:
        return True
    return False


def test_the_first_limit_go_at_once_the_rest_learn_their_place():
    line = Line(2)
    assert admitted(line.wait(0.01)) and admitted(line.wait(0.01))
    third, fourth = line.wait(0.01), line.wait(0.01)
    assert next(third) == 0 and next(fourth) == 1
    assert line.running == 2
    line.release()
    assert admitted(third)  # the first in line takes the freed place, not the later one
    assert next(fourth) == 0
    line.release()
    assert admitted(fourth) and line.running == 2


def test_leaving_the_line_moves_the_others_up():
    line = Line(1)
    assert admitted(line.wait(0.01))
    second, third = line.wait(0.01), line.wait(0.01)
    assert (next(second), next(third)) == (0, 1)
    second.close()  # Stop while waiting
    assert next(third) == 0
    line.release()
    assert admitted(third)


def test_a_waiter_wakes_when_a_place_is_freed():
    line = Line(1)
    assert admitted(line.wait(0.01))
    places: list[int] = []
    done = threading.Event()

    def wait() -> None:
        for ahead in line.wait(30.0):  # a long tick: only the release can wake it in time
            places.append(ahead)
        done.set()

    threading.Thread(target=wait, daemon=True).start()
    while not places:
        threading.Event().wait(0.01)
    line.release()
    assert done.wait(10) and places == [0]


def test_limit_must_be_positive():
    with pytest.raises(ValueError, match="limit"):
        Line(0)
