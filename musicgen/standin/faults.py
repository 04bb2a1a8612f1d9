"""Faults the stand-in can be told to commit, and the queue that hands them out one request at a time."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from ..loopback import FaultQueue

__all__ = ["CODE_MESSAGES", "FAULT_KINDS", "GATEWAY_PAGE", "HTTP_REASONS", "Fault", "FaultQueue", "fault_from_json"]

FAULT_KINDS = frozenset(
    {
        "code",
        "http",
        "html",
        "reset",
        "truncate",
        "badhex",
        "empty_audio",
        "slow",
        "stream_error",
        "json_error_for_stream",
        "json_for_stream",
    }
)

# Messages the platform uses for its codes (contract §9), so an injected code without a message still reads real.
CODE_MESSAGES = {
    0: "success",
    1000: "unknown error",
    1001: "request timeout",
    1002: "rate limit exceeded(RPM)",
    1004: "login fail: Please carry the API secret key in the 'Authorization' field of the request header",
    1008: "insufficient balance",
    1024: "internal error",
    1026: "input new_sensitive",
    1027: "output new_sensitive",
    1033: "system error",
    1039: "rate limit exceeded(TPM)",
    2013: "invalid params",
    2049: "invalid api key",
    2056: "usage limit exceeded",
    2061: "token plan not support model",  # a model outside the key's plan (contract §0, §9)
    2153: "music api is not available for this account",  # reported with HTTP 410 after the sunset (contract §0)
}

HTTP_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    408: "Request Timeout",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# What a reverse proxy in front of the API sends when the upstream is down: HTML, not the JSON envelope.
GATEWAY_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Fault:
    """One way the next API request should misbehave; `kind` is one of FAULT_KINDS."""

    kind: str
    code: int = 0
    http_status: int = 200
    message: str = ""
    retry_after: float | None = None
    delay_s: float = 0.0
    audio: str = "ok"  # json_for_stream: the whole song as "ok" hex, "badhex" or "empty"

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if self.audio not in ("ok", "badhex", "empty"):
            raise ValueError(f"unknown fault audio {self.audio!r}; expected 'ok', 'badhex' or 'empty'")

    def business_code(self) -> int:
        """The base_resp code this fault reports (1000 'unknown error' when none was given)."""
        return self.code or 1000

    def business_message(self) -> str:
        """The base_resp message this fault reports."""
        return self.message or CODE_MESSAGES.get(self.business_code(), "unknown error")

    def status(self) -> int:
        """The HTTP status this fault answers with."""
        if self.kind == "html":
            # Only gateway statuses come back as HTML pages.
            return self.http_status if self.http_status in (502, 503, 504) else 502
        if self.kind == "http":
            return self.http_status if self.http_status >= 400 else 500
        return 200


def fault_from_json(obj: Any) -> tuple[Fault, int]:
    """Build a Fault and its repeat count from the control route's JSON body; raises ValueError."""
    if not isinstance(obj, dict):
        raise ValueError("body must be a JSON object")
    known = {f.name for f in fields(Fault)} | {"times"}
    unknown = set(obj) - known
    if unknown:
        raise ValueError(f"unknown fault fields: {sorted(unknown)}")
    times = obj.get("times", 1)
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        raise ValueError("times must be a positive integer")
    args = {k: v for k, v in obj.items() if k != "times"}
    if "kind" not in args:
        raise ValueError("kind is required")
    try:
        return Fault(**args), times
    except TypeError as exc:
        raise ValueError(str(exc)) from exc
