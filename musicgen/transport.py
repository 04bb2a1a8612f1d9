"""The HTTP plumbing every client shares: one connection pool, the key added per request, timeouts, and retries only
where nothing can have been started or charged (a rate-limit rejection, a connection that never sent anything).

What an error answer means differs per backend, so each client hands its own `check` (HTTP status -> exception) and
its own `missing_key` error; the transport never reads a body beyond that. Clients hold a Transport rather than
subclassing each other, so no backend reaches into another's internals.
"""

from __future__ import annotations

import functools
import json
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import httpx

from . import config, errors

_T = TypeVar("_T")
_C = TypeVar("_C", bound="TransportClient")
_RETRY_BEFORE_SEND = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
StatusCheck = Callable[[httpx.Response], None]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The certificate store, loaded once per process and shared by every client (SSLContext is thread-safe).

    httpx loads it anew for each client, about 20 ms of CPU; the studio builds a client per generation, and with
    many visitors at once that was a fifth of its CPU time (benchmarks/bench_studio.py, py-spy). Same rules as
    httpx's default: SSL_CERT_FILE / SSL_CERT_DIR when set, else certifi's bundle.
    """
    return httpx.create_ssl_context()


class Transport:
    """One backend's connection: base URL, key (sent as a Bearer token per request), timeouts and retry policy."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        check: StatusCheck,
        missing_key: Callable[[], errors.MusicGenError],
        timeouts: config.Timeouts | None = None,
        retry: config.RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        key_required: bool = True,
    ) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.timeouts = timeouts or config.Timeouts()
        self.retry = retry or config.RetryPolicy()
        self.sleep = sleep
        self._check = check
        self._missing_key = missing_key
        self._key_required = key_required
        # The key is added per request, so downloads from other hosts never carry it.
        self.http = httpx.Client(base_url=base_url, transport=transport, follow_redirects=True, verify=tls_context())

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, key={'set' if self.api_key else 'unset'})"

    def close(self) -> None:
        """Close the connection pool (a call still running in another thread then fails at once)."""
        self.http.close()

    @property
    def is_closed(self) -> bool:
        return self.http.is_closed

    def headers(self, content_type: str | None = "application/json") -> dict[str, str]:
        """The Authorization header (and Content-Type); raises the client's missing-key error when none is set."""
        if not self.api_key and self._key_required:
            raise self._missing_key()
        out = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        return {**out, "Content-Type": content_type} if content_type else out

    def timeout(self, read: float) -> httpx.Timeout:
        t = self.timeouts
        return httpx.Timeout(connect=t.connect, read=read, write=t.write, pool=t.connect)

    def post_json(self, path: str, payload: Mapping[str, Any], read_timeout: float) -> httpx.Response:
        """POST JSON and return the open (streaming) response, after the status check."""
        headers = self.headers()
        content = json.dumps(payload, ensure_ascii=False).encode()
        return self.send(
            lambda timeout: self.http.build_request("POST", path, content=content, headers=headers, timeout=timeout),
            read_timeout,
        )

    def post_form(
        self, path: str, fields: Mapping[str, Any], files: Mapping[str, Any], read_timeout: float, what: str = ""
    ) -> httpx.Response:
        """POST multipart/form-data (httpx sets its Content-Type) and return the open response."""
        headers = self.headers(content_type=None)
        return self.send(
            lambda timeout: self.http.build_request(
                "POST", path, data=dict(fields), files=dict(files), headers=headers, timeout=timeout
            ),
            read_timeout,
            what,
        )

    def send(
        self, build: Callable[[httpx.Timeout], httpx.Request], read_timeout: float, what: str = ""
    ) -> httpx.Response:
        """Send the request `build` makes and return the open (streaming) response, after the status check.

        Retries only connections that never sent anything; `what` names the request in timeout and failure
        messages ("upload"), else they name the host.
        """
        attempt = 0
        while True:
            try:
                resp = self.http.send(build(self.timeout(read_timeout)), stream=True)
            except _RETRY_BEFORE_SEND as exc:
                if attempt < self.retry.max_retries:
                    self.sleep(self.retry.wait(attempt))
                    attempt += 1
                    continue
                raise errors.APIConnectionError(f"Could not connect to {self.base_url}: {exc}") from None
            except httpx.TimeoutException:
                where = f"to the {what}" if what else f"from {self.base_url}"
                raise errors.APITimeoutError(f"No answer {where} within {read_timeout:.0f} s") from None
            except httpx.TransportError as exc:
                raise errors.APIConnectionError(
                    f"The {what or 'connection'} to {self.base_url} failed: {exc}"
                ) from None
            self._check(resp)
            return resp

    def get(self, path: str, params: Mapping[str, Any] | None, read_timeout: float, what: str) -> httpx.Response:
        """One GET (safe to repeat), read whole; `what` names it in failure messages. The status is not checked."""
        try:
            return self.http.get(
                path, params=dict(params or {}), headers=self.headers(), timeout=self.timeout(read_timeout)
            )
        except httpx.TimeoutException:
            raise errors.APITimeoutError(f"No answer about {what} within {read_timeout:.0f} s") from None
        except httpx.TransportError as exc:
            raise errors.APIConnectionError(f"Checking {what} failed: {exc}") from None

    def with_retry(self, call: Callable[[], _T]) -> _T:
        """Run `call`, re-running it after a rate-limit rejection: a rejected request started no song."""
        attempt = 0
        while True:
            try:
                return call()
            except errors.RateLimitError as exc:
                if exc.partial or attempt >= self.retry.max_retries:
                    raise
                self.sleep(self.retry.wait(attempt, exc.retry_after))
                attempt += 1

    def download(self, url: str, trace: str | None) -> bytes:
        """Fetch a url-mode result at once (links expire after 24 h). No Authorization header goes with it."""
        try:
            resp = self.http.get(url, timeout=self.timeouts.download)
        except httpx.HTTPError as exc:
            raise errors.APIConnectionError(
                f"The song is ready but downloading it failed: {exc}",
                trace_id=trace,
                hint=f"Download it yourself within 24 h from {url}",
            ) from None
        if resp.status_code != 200:
            raise errors.APIConnectionError(
                f"The song is ready but its download link answered HTTP {resp.status_code}",
                trace_id=trace,
                hint=f"Try the link yourself (valid 24 h): {url}",
            )
        return resp.content


class TransportClient:
    """What every client over a Transport shares: a with-block, close(), and a repr that never shows the key."""

    transport: Transport
    repr_fields: ClassVar[tuple[str, ...]] = ()  # attributes a client's repr names besides base_url and key

    def __repr__(self) -> str:
        extra = "".join(f", {name}={getattr(self, name)!r}" for name in self.repr_fields)
        key = "set" if self.transport.api_key else "unset"
        return f"{type(self).__name__}(base_url={self.transport.base_url!r}{extra}, key={key})"

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (a call still running in another thread then fails at once: Stop)."""
        self.transport.close()


def retry_after(value: str | None) -> float | None:
    """A Retry-After header in seconds, or None (an HTTP-date: the default backoff applies)."""
    try:
        return float(value) if value else None
    except ValueError:
        return None


def reason(resp: httpx.Response) -> str:
    return f"HTTP {resp.status_code} {resp.reason_phrase}".strip()
