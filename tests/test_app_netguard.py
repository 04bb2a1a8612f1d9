"""No request to an address a stranger picks: a Cover audio_url on a keyless studio (the demo engine answers).

A local listener stands for a service on the server's machine or network; it must never see a request. Tried
through gradio_client, the way a stranger on a public Space would.
"""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from gradio_client.exceptions import AppError
from ui_fixtures import api_client, serve_studio, write_reference

from musicgen import netguard, providers


class Listener:
    """A loopback HTTP server that records every request; answers audio, or redirects to `redirect_to`."""

    def __init__(self, body: bytes = b"", redirect_to: str = "") -> None:
        self.seen: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.seen.append(self.path)
                if redirect_to:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "audio/wav")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def listener(tmp_path_factory):
    reference = write_reference(tmp_path_factory.mktemp("ref") / "ref.wav").read_bytes()
    server = Listener(reference)  # answers a real, valid reference track: a fetch would succeed
    yield server
    server.close()


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    keyless = dict.fromkeys(("MINIMAX_API_KEY", "MINIMAX_BASE_URL", "AIMLAPI_KEY", "AIMLAPI_BASE_URL"))
    with serve_studio(data=tmp_path_factory.mktemp("data"), env=keyless) as (_, u):  # keyless: the demo engine answers
        yield u


def local_urls(port: int) -> list[str]:
    return [
        f"http://localhost:{port}/admin/reboot.mp3",
        f"http://127.0.0.1:{port}/track.wav",
        f"http://[::1]:{port}/track.wav",
        f"http://[::ffff:127.0.0.1]:{port}/track.wav",
        f"http://10.0.0.7:{port}/track.wav",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        f"http://0.0.0.0:{port}/track.wav",
    ]


@pytest.mark.parametrize("index", range(7))
def test_local_and_private_audio_urls_are_refused_and_never_fetched(url, listener, tmp_path, index):
    target = local_urls(listener.port)[index]
    c = api_client(url, tmp_path)
    with pytest.raises(AppError, match="audio_url") as err:
        c.predict(audio_url=target, api_name="/cover_preprocess")
    assert "local, private or link-local" in str(err.value) and err.value.title == "Check the form"
    with pytest.raises(AppError, match="local, private or link-local"):
        c.predict(prompt="Acoustic folk, warm", audio_url=target, api_name="/cover")
    assert listener.seen == []


def test_a_public_link_that_redirects_to_loopback_is_refused_at_the_redirect(url, listener, tmp_path, monkeypatch):
    target = f"http://127.0.0.1:{listener.port}/track.wav"
    redirector = Listener(redirect_to=target)
    # The redirector stands in for a public host: the policy lets its one port through, nothing else on loopback.
    public = netguard.address_allowed
    monkeypatch.setattr(
        netguard,
        "address_allowed",
        lambda ip, port: public(ip, port) or (ip == ipaddress.ip_address("127.0.0.1") and port == redirector.port),
    )
    try:
        with pytest.raises(AppError, match="refused") as err:
            api_client(url, tmp_path).predict(
                audio_url=f"http://127.0.0.1:{redirector.port}/song.mp3", api_name="/cover_preprocess"
            )
        assert "audio_url" in str(err.value) and "local, private or link-local" in str(err.value)
        assert redirector.seen == ["/song.mp3"] and listener.seen == []
    finally:
        redirector.close()


def test_the_studios_demo_engine_never_reads_local_urls():
    assert providers.demo_server().fetch_local is False


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("127.0.0.1", False), ("::1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
     ("169.254.169.254", False), ("100.64.0.1", False), ("fc00::1", False), ("fe80::1", False),
     ("::ffff:10.0.0.1", False), ("224.0.0.1", False), ("0.0.0.0", False), ("93.184.216.34", True),
     ("2606:4700::1111", True)],
)  # fmt: skip
def test_only_public_addresses_are_allowed(address, allowed):
    assert netguard.address_allowed(ipaddress.ip_address(address), 80) is allowed
