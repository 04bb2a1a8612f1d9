"""A local stand-in for the MiniMax Music API: a real loopback HTTP server that speaks its contract."""

from .faults import FAULT_KINDS
from .renderers import Rendering, ToneRenderer
from .server import Fault, StandIn

__all__ = ["FAULT_KINDS", "Fault", "Rendering", "StandIn", "ToneRenderer"]
