"""The ledger of the server keys' uses, the access policy from the environment, and which address a request is from."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from musicgen import access
from musicgen.budget import FILE_NAME, HELPER, SONG, Ledger, Limits, seconds_to_reset, utc_day

TOKEN_A, TOKEN_B = "a" * 43, "b" * 43
DAY_S = 86400.0


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def ledger(tmp_path, clock):
    led = Ledger(tmp_path, clock=clock)
    yield led
    led.close()


def test_a_visitor_is_its_browser_and_its_address(ledger):
    limits = Limits(per_visitor=2)
    assert [ledger.take(SONG, "minimax", TOKEN_A, "203.0.113.7", limits).left for _ in range(2)] == [1, 0]
    # Cleared site data (a new browser token) from the same address: still spent.
    assert ledger.take(SONG, "minimax", TOKEN_B, "203.0.113.7", limits).refused == "visitor"
    # The same browser from another network: still spent.
    assert ledger.take(SONG, "minimax", TOKEN_A, "198.51.100.9", limits).refused == "visitor"
    # Someone else entirely has their own allowance.
    assert ledger.take(SONG, "minimax", TOKEN_B, "198.51.100.9", limits).use_id is not None


def test_the_day_total_counts_everyone_and_resets_at_midnight_utc(ledger, clock):
    limits = Limits(per_visitor=None, per_day=2)
    for i in range(2):
        assert ledger.take(SONG, "minimax", f"{i}" * 40, f"192.0.2.{i}", limits).use_id is not None
    assert ledger.take(SONG, "minimax", "z" * 40, "192.0.2.99", limits).refused == "day"
    clock.now += seconds_to_reset(clock.now)  # 00:00 UTC
    assert utc_day(clock.now) != utc_day(clock.now - 1)
    assert ledger.take(SONG, "minimax", "z" * 40, "192.0.2.99", limits).left == 1


def test_helpers_have_their_own_allowance(ledger):
    ledger.take(SONG, "minimax", TOKEN_A, "192.0.2.1", Limits(1))
    assert ledger.take(SONG, "minimax", TOKEN_A, "192.0.2.1", Limits(1)).refused
    assert ledger.take(HELPER, "minimax", TOKEN_A, "192.0.2.1", Limits(4)).left == 3


def test_a_use_given_back_no_longer_counts(ledger):
    taken = ledger.take(SONG, "minimax", TOKEN_A, "192.0.2.1", Limits(1))
    assert ledger.left(SONG, TOKEN_A, "192.0.2.1", Limits(1)) == 0
    ledger.give_back(taken.use_id)
    assert ledger.left(SONG, TOKEN_A, "192.0.2.1", Limits(1)) == 1


def test_simultaneous_takes_never_overspend(ledger):
    limits = Limits(per_visitor=None, per_day=3)
    start = threading.Barrier(10)

    def click(i: int):
        start.wait()
        return ledger.take(SONG, "minimax", f"{i:02d}" * 20, f"192.0.2.{i}", limits)

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(click, range(10)))
    assert sum(r.use_id is not None for r in results) == 3
    assert sum(r.refused == "day" for r in results) == 7
    assert ledger.report(1)[0]["songs"] == 3 and ledger.report(1)[0]["refused_budget"] == 7


def test_counts_survive_a_restart_and_old_rows_are_purged(tmp_path, clock):
    led = Ledger(tmp_path, clock=clock)
    led.take(SONG, "minimax", TOKEN_A, "192.0.2.1", Limits(3))
    led.close()
    again = Ledger(tmp_path, clock=clock)
    assert again.left(SONG, TOKEN_A, "192.0.2.1", Limits(3)) == 2
    clock.now += 31 * DAY_S
    again.purge()
    assert again.report(30) == []
    assert again.store.query("SELECT COUNT(*) FROM uses") == [(0,)]
    again.close()


def test_the_store_holds_only_salted_hashes(tmp_path, clock):
    led = Ledger(tmp_path, clock=clock)
    led.take(SONG, "minimax", TOKEN_A, "203.0.113.7", Limits(3))
    led.refuse("code", "", "203.0.113.8")
    led.code_failed("203.0.113.9", 5, 600, 600)
    led.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(FILE_NAME))
    for secret in (TOKEN_A, "203.0.113.7", "203.0.113.8", "203.0.113.9"):
        assert secret.encode() not in raw
    other = Ledger(tmp_path / "other", clock=clock)  # another store, another salt: hashes do not match across stores
    assert other.visitor("203.0.113.7") != Ledger(tmp_path, clock=clock).visitor("203.0.113.7")


def test_five_wrong_codes_in_ten_minutes_pause_the_address(ledger, clock):
    address = "203.0.113.7"
    assert [ledger.code_failed(address, 5, 600, 600) for _ in range(4)] == [4, 3, 2, 1]
    assert ledger.locked_for(address) == 0
    assert ledger.code_failed(address, 5, 600, 600) == 0
    assert ledger.locked_for(address) == pytest.approx(600)
    assert ledger.locked_for("203.0.113.8") == 0  # other addresses are not affected
    clock.now += 601
    assert ledger.locked_for(address) == 0


def test_wrong_codes_spread_over_more_than_ten_minutes_do_not_pause(ledger, clock):
    for _ in range(8):
        ledger.code_failed("203.0.113.7", 5, 600, 600)
        clock.now += 200  # at most 3 failures in any 10 minutes
    assert ledger.locked_for("203.0.113.7") == 0


def test_report_per_day_and_backend(ledger, clock):
    ledger.take(SONG, "minimax", TOKEN_A, "192.0.2.1", Limits(1))
    ledger.take(SONG, "minimax", TOKEN_A, "192.0.2.1", Limits(1))  # refused: budget
    ledger.take(SONG, "aimlapi", TOKEN_B, "192.0.2.2", Limits(5))
    ledger.take(HELPER, "minimax", TOKEN_B, "192.0.2.2", Limits(5))
    ledger.refuse("throttled", "", "192.0.2.3")
    clock.now -= DAY_S
    ledger.take(SONG, "minimax", TOKEN_A, "192.0.2.1", Limits(5))
    clock.now += DAY_S
    rows = {(r["day"], r["backend"]): r for r in ledger.report(7)}
    today, yesterday = utc_day(clock.now), utc_day(clock.now - DAY_S)
    assert rows[(today, "minimax")] == {
        "day": today, "backend": "minimax", "songs": 1, "helper_calls": 1, "visitors": 2, "addresses": 2,
        "refused_budget": 1, "refused_code": 0, "refused_throttled": 0,
    }  # fmt: skip
    assert rows[(today, "aimlapi")]["songs"] == 1 and rows[(yesterday, "minimax")]["songs"] == 1
    assert rows[(today, "any")]["refused_throttled"] == 1
    assert all(r["day"] == today for r in ledger.report(1))


# -- the policy from the environment -----------------------------------------------------------------------------

ENV = (access.ENV_CODE, access.ENV_SONGS_PER_VISITOR, access.ENV_SONGS_PER_DAY, access.ENV_TRUST_PROXY, "SPACE_ID")


@pytest.fixture
def env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_no_budgets_and_no_proxy_off_a_space(env):
    p = access.policy_from_env()
    assert (p.code, p.songs_per_visitor, p.songs_per_day, p.trust_proxy) == ("", None, None, False)


def test_a_space_gets_budgets_and_trusts_its_proxy(env):
    env.setenv("SPACE_ID", "owner/studio")
    p = access.policy_from_env()
    assert (p.songs_per_visitor, p.songs_per_day, p.trust_proxy) == (5, 100, True)
    assert p.limits(HELPER).per_visitor == 20 and p.limits(HELPER).per_day is None
    env.setenv(access.ENV_SONGS_PER_DAY, "unlimited")
    env.setenv(access.ENV_TRUST_PROXY, "0")
    p = access.policy_from_env()
    assert (p.songs_per_day, p.trust_proxy) == (None, False)


@pytest.mark.parametrize(
    ("name", "value"),
    [(access.ENV_SONGS_PER_VISITOR, "five"), (access.ENV_SONGS_PER_VISITOR, "-1"), (access.ENV_SONGS_PER_DAY, "2.5"),
     (access.ENV_TRUST_PROXY, "yes"), (access.ENV_TRUST_PROXY, "2")],
)  # fmt: skip
def test_bad_configuration_names_the_variable(env, name, value):
    env.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        access.policy_from_env()


def test_the_code_is_compared_whole(env):
    env.setenv(access.ENV_CODE, "open sesame")
    p = access.policy_from_env()
    assert p.code_matches("open sesame") and p.code_matches(" open sesame ")
    assert not any(p.code_matches(x) for x in ("open", "open sesame!", "", "OPEN SESAME"))
    assert "sesame" not in repr(p)
    assert not access.Policy().code_matches("")  # no code set: nothing matches


# -- which address -----------------------------------------------------------------------------------------------


class Headers(dict):
    def getlist(self, name):
        value = self.get(name)
        return value if isinstance(value, list) else ([value] if value else [])


def req(peer: str, **headers) -> SimpleNamespace:
    return SimpleNamespace(
        client=SimpleNamespace(host=peer), headers=Headers({k.replace("_", "-"): v for k, v in headers.items()})
    )


def test_without_a_trusted_proxy_the_peer_counts_whatever_the_headers_say():
    forged = req("198.51.100.4", x_forwarded_for="1.2.3.4")
    assert access.client_address(forged, trust_proxy=False) == "198.51.100.4"


def test_behind_a_trusted_proxy_only_the_entry_it_appended_counts():
    # The client sent "1.2.3.4, 5.6.7.8"; the proxy appended the address it saw, 203.0.113.7.
    r = req("10.16.3.80", x_forwarded_for="1.2.3.4, 5.6.7.8, 203.0.113.7")
    assert access.client_address(r, trust_proxy=True) == "203.0.113.7"
    r = req("10.16.3.80", x_forwarded_for=["1.2.3.4", "203.0.113.7"])  # a second header line
    assert access.client_address(r, trust_proxy=True) == "203.0.113.7"
    assert access.client_address(req("10.16.3.80"), trust_proxy=True) == "10.16.3.80"
    assert access.client_address(None, trust_proxy=True) == ""
