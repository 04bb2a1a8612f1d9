"""Where a cover's reference comes from: an uploaded file, a URL, or an analysis made earlier in the session."""

from __future__ import annotations

import base64
from typing import Any

from .. import netguard, providers
from ..audio import ReferenceError, check_reference
from ..requests import CoverPreprocessRequest
from ..results import CoverAnalysis
from .errors import field_error, to_gr_error
from .session import Session, reference_key


def checked_reference(path: str) -> bytes:
    """The bytes of a local reference track, checked before upload (decodable, 6 s – 6 min, ≤ 50 MB)."""
    try:
        return check_reference(path)[0]
    except ReferenceError as exc:
        raise to_gr_error(exc) from None


def check_url(url: str) -> str:
    """An audio_url on a public host; raises gr.Error naming the field, and nothing is fetched, for anything else:
    loopback, private, link-local or metadata addresses (after DNS resolution; the demo engine's fetch checks
    every redirect too, musicgen/netguard.py)."""
    if not url.startswith(("http://", "https://")):
        raise field_error("audio_url", "must be an http:// or https:// link to an audio file")
    try:
        return netguard.check_url(url)
    except netguard.BlockedURL as exc:
        raise field_error("audio_url", str(exc)) from None


def preprocess_request(audio: str | None, audio_url: str) -> tuple[str, CoverPreprocessRequest]:
    """The analysis request for a file (preferred) or a URL, and the key under which its analysis is kept."""
    if audio:
        data = checked_reference(audio)
        return reference_key(data), CoverPreprocessRequest(audio_base64=base64.b64encode(data).decode("ascii"))
    if audio_url:
        return reference_key(url=audio_url), CoverPreprocessRequest(audio_url=check_url(audio_url))
    raise field_error("audio", "upload or record a reference track, or give its audio_url")


def cover_reference(session: Session, feature_id: str, audio: str | None, audio_url: str) -> dict[str, str]:
    """The one reference field a cover request carries: an explicit id, a file, a URL, or the last analysis."""
    if feature_id:
        return {"cover_feature_id": feature_id}
    if audio:
        return {"audio_base64": base64.b64encode(checked_reference(audio)).decode("ascii")}
    if audio_url:
        return {"audio_url": check_url(audio_url)}
    if session.analysis is not None:
        return {"cover_feature_id": session.analysis.cover_feature_id}
    raise field_error("audio", "analyse a reference first, or give audio, audio_url or cover_feature_id")


def analysis_dict(analysis: CoverAnalysis) -> dict[str, Any]:
    """What /cover_preprocess returns about a reference, for scripts."""
    return {
        "cover_feature_id": analysis.cover_feature_id,
        "duration_s": analysis.duration_s,
        "segments": [{"start": s.start, "end": s.end, "label": s.label} for s in analysis.segments],
        "trace_id": analysis.trace_id,
        "provider": analysis.provider,
        **({"label": providers.DEMO_LABEL} if analysis.provider == providers.DEMO else {}),
    }
