"""A local stand-in for the AI/ML API proxy (task submit + poll, music-01) on loopback, for tests and benchmarks."""

from .clock import VirtualClock
from .music01 import Upload
from .server import ProxyFault, ProxyStandIn
from .tasks import Task, TaskPlan
from .tones import tone

__all__ = ["ProxyFault", "ProxyStandIn", "Task", "TaskPlan", "Upload", "VirtualClock", "tone"]
