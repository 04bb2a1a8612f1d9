"""musicgen: a typed client for the MiniMax Music API (direct or through the AI/ML API proxy) and for MiniMax-Music3
on your own GPU (sglang-omni), an offline demo engine, and a Gradio studio."""

from .aimlapi import AimlApiClient
from .aimlapi.tasks import PollPolicy, Task, TaskFailedError
from .client import MusicClient
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
from .legacy import Music01Request, UploadResult, generate_music01, upload_reference
from .music3 import Music3Client, Music3Request
from .progress import Chunk, Progress
from .requests import AudioSetting, CoverPreprocessRequest, LyricsRequest, MusicRequest
from .results import CoverAnalysis, LyricsResult, MusicResult, Segment

__all__ = [
    "APIConnectionError", "APIError", "APITimeoutError", "AimlApiClient", "AudioError", "AudioSetting",
    "AuthenticationError", "Chunk", "ContentFlaggedError", "CorruptAudioError", "CoverAnalysis",
    "CoverPreprocessRequest", "InsufficientBalanceError", "InvalidParametersError", "LyricsRequest", "LyricsResult",
    "ModelUnavailableError", "Music01Request", "Music3Client", "Music3Request", "MusicClient", "MusicGenError", "MusicRequest", "MusicResult",
    "PollPolicy", "Progress", "QuotaExceededError", "RateLimitError", "Segment", "ServerError",
    "StreamTruncatedError", "Task", "TaskFailedError", "UploadResult", "generate_music01", "upload_reference",
]  # fmt: skip
