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
    # HMAC with a per-library salt: a leaked index cannot be matched against tokens from elsewhere.
    return hmac.new(bytes.fromhex(salt), token.encode("utf-8"), hashlib.sha256).hexdigest()


def same_owner(stored_hash: str, candidate_hash: str) -> bool:
    """Return True when two owner hashes match, in constant time."""
    return hmac.compare_digest(stored_hash.encode("ascii"), candidate_hash.encode("ascii"))
