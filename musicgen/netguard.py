"""No request to an address a stranger picks: visitor-given URLs may only reach public internet addresses.

A Cover's `audio_url` is typed by a visitor. Whatever fetches it on this server (the demo engine) must not become a
way to reach the machine itself or its network: loopback, private ranges, link-local (169.254.169.254 is the cloud
metadata service), carrier-grade NAT, multicast, reserved. Each host is resolved and every address it resolves to is
checked; the fetch then connects to the address that was checked (no second DNS answer can swap it) and follows
redirects by hand, checking each hop the same way.

`address_allowed` is the one policy; tests replace it to stand a loopback listener in for a public host.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import httpx

MAX_REDIRECTS = 5
FETCH_TIMEOUT_S = 30.0
SCHEMES = ("http", "https")


class BlockedURL(ValueError):
    """A URL this server refuses to fetch; the message says why and names no internal detail."""


def address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> bool:
    """True only for public internet addresses (loopback, private, link-local, metadata, reserved: False)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return ip.is_global and not ip.is_multicast


def resolve(url: str) -> tuple[str, int, list[str]]:
    """(host, port, addresses) of an http(s) URL whose every address is allowed; raises BlockedURL otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise BlockedURL("it must be an http:// or https:// link to an audio file")
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BlockedURL("its port is not a number between 0 and 65535") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise BlockedURL(f"its host {host!r} could not be resolved; check the link") from None
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    for text in addresses:
        if not address_allowed(ipaddress.ip_address(text), port):
            raise BlockedURL(
                f"it points at {host!r}, a local, private or link-local address this server never fetches; "
                "give a public link to an audio file, or upload the file instead"
            )
    return host, port, addresses


def check_url(url: str) -> str:
    """The URL itself when it may be fetched (public host); raises BlockedURL naming the problem."""
    resolve(url)
    return url


def fetch(url: str, *, max_bytes: int, timeout_s: float = FETCH_TIMEOUT_S) -> bytes:
    """GET a public URL (redirects followed and checked hop by hop); at most `max_bytes` + 1 bytes are read.

    Raises BlockedURL for a refused hop, OSError for a failed download."""
    for _ in range(MAX_REDIRECTS + 1):
        host, port, addresses = resolve(url)
        parts = urlsplit(url)
        ip = addresses[0]
        netloc = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
        pinned = parts._replace(netloc=netloc).geturl()
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1]}
        with httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False) as client:
            with client.stream("GET", pinned, headers=headers, extensions={"sni_hostname": host}) as resp:
                if resp.is_redirect:
                    location = resp.headers.get("location", "")
                    if not location:
                        raise OSError(f"HTTP {resp.status_code} without a Location")
                    url = urljoin(url, location)
                    continue
                if resp.status_code >= 400:
                    raise OSError(f"HTTP {resp.status_code}")
                body = bytearray()
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        break
                return bytes(body)
    raise OSError(f"more than {MAX_REDIRECTS} redirects")
