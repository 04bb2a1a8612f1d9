"""Visitor ownership: random tokens kept by the browser, stored server-side only as salted hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# 32 characters of a urlsafe token carry >= 190 bits; anything shorter is a bug or a guess.
MIN_TOKEN_CHARS = 32
MAX_TOKEN_CHARS = 512
TOKEN_BYTES = 32


def new_owner_token() -> str:
    """Return a fresh urlsafe owner token with 256 bits of entropy."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_salt() -> str:
    """Return a fresh per-library salt as hex."""
    return secrets.token_hex(32)


def owner_hash(token: str, salt: str) -> str:
    """Return the keyed hash of an owner token; raises ValueError for a missing or short token."""
    if not isinstance(token, str):
        raise ValueError("owner token must be a string")
    if len(token) < MIN_TOKEN_CHARS:
        raise ValueError(f"owner token is empty or too short (need >= {MIN_TOKEN_CHARS} characters)")
    if len(token) > MAX_TOKEN_CHARS:
        raise ValueError(f"owner token is too long (max {MAX_TOKEN_CHARS} characters)")
    return keyed_hash(token, salt)


def keyed_hash(value: str, salt: str) -> str:
    """HMAC-SHA256 of `value` under a per-store salt (hex): a leaked store cannot be matched against values from
    elsewhere. Used for library owner tokens and for the usage ledger's visitors (musicgen/budget.py)."""
    return hmac.new(bytes.fromhex(salt), value.encode("utf-8"), hashlib.sha256).hexdigest()


def same_owner(stored_hash: str, candidate_hash: str) -> bool:
    """Return True when two owner hashes match, in constant time."""
    return hmac.compare_digest(stored_hash.encode("ascii"), candidate_hash.encode("ascii"))
