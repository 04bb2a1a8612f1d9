"""In-memory stores whose entries expire: download links and cover feature ids both live 24 h by default."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    value: T | None
    expires_at: float


class ExpiringStore(Generic[T]):
    """Maps keys to values until a per-store TTL passes; remembers expired keys so they read as 'expired'."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry[T]] = {}

    def put(self, key: str, value: T) -> float:
        """Store `value` under `key`; returns its expiry on the store's clock."""
        with self._lock:
            self._forget_expired()
            expires_at = self._clock() + self.ttl_s
            self._entries[key] = _Entry(value, expires_at)
            return expires_at

    def lookup(self, key: str) -> tuple[str, T | None]:
        """('ok', value), ('expired', None) or ('missing', None)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return "missing", None
            if self._clock() >= entry.expires_at:
                entry.value = None  # free the bytes, keep the tombstone so the key still reads as expired
                return "expired", None
            return "ok", entry.value

    def get(self, key: str) -> T | None:
        """The live value for `key`, or None when missing or expired."""
        state, value = self.lookup(key)
        return value if state == "ok" else None

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()

    def _forget_expired(self) -> None:
        # Expired values are dropped (tombstones stay); called under the lock on every put to bound memory.
        now = self._clock()
        for entry in self._entries.values():
            if now >= entry.expires_at:
                entry.value = None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
