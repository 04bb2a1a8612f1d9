"""A local stand-in of a sglang-omni server running MiniMax Music 3 (POST /v1/audio/speech, GET /health)."""

from .render import heard_lyrics, render_wav
from .server import SERVED_MODEL, Music3Fault, Music3StandIn
from .validation import REFUSED, RequestRefused, check

__all__ = ["REFUSED", "SERVED_MODEL", "Music3Fault", "Music3StandIn", "RequestRefused", "check", "heard_lyrics",
           "render_wav"]  # fmt: skip
