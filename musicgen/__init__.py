"""musicgen: a typed client for the MiniMax Music API, an offline demo engine, and a Gradio studio."""

from .client import Chunk, MusicClient, Progress
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AudioError,
    AuthenticationError,
    ContentFlaggedError,
    CorruptAudioError,
    InsufficientBalanceError,
    InvalidParametersError,
    ModelUnavailableError,
    MusicGenError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    StreamTruncatedError,
)
from .requests import AudioSetting, CoverPreprocessRequest, LyricsRequest, MusicRequest
from .results import CoverAnalysis, LyricsResult, MusicResult, Segment

__all__ = [
    "APIConnectionError", "APIError", "APITimeoutError", "AudioError", "AudioSetting", "AuthenticationError",
    "Chunk", "ContentFlaggedError", "CorruptAudioError", "CoverAnalysis", "CoverPreprocessRequest",
    "InsufficientBalanceError", "InvalidParametersError", "LyricsRequest", "LyricsResult", "ModelUnavailableError",
    "MusicClient", "MusicGenError", "MusicRequest", "MusicResult", "Progress", "QuotaExceededError",
    "RateLimitError", "Segment", "ServerError", "StreamTruncatedError",
]  # fmt: skip
