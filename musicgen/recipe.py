"""A recipe: the one portable form of a request (what was asked of which backend), versioned JSON.

It travels: into every library song's metadata.json and zip export, as a downloaded file, and as a share link
(`?recipe=`, compact: deflated and base64url-encoded, at most LINK_MAX characters). It holds the backend, model, prompt,
lyrics, audio settings, seed and length cap. It never holds keys, access codes, file paths or owner tokens: it has no
field for them and refuses any field it does not know. A cover's reference appears only as its http(s) URL, or as its
feature id while that is valid (`feature_id_until`). Everything read from outside is checked before it is used, and a
recipe that fails says why in one line naming the field, without echoing what it was given.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import zlib
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import config, providers
from .requests import LYRICS_MAX, PROMPT_MAX, SEED_MAX, AudioSetting, MusicRequest, describe_validation_error

VERSION: Literal[1] = 1
LINK_MAX = 8192  # characters of the ?recipe= value
JSON_MAX = 65536  # bytes of recipe JSON read back, from a file or a link once inflated (a deflate bomb stops here)
FEATURE_ID_VALID_S = 23 * 3600  # an analysed reference (cover_feature_id) lasts 24 h at MiniMax; a margin
KINDS = ("song", "instrumental", "cover")
_PLAIN = re.compile(r"[a-z0-9_]{1,40}")


class RecipeError(ValueError):
    """A recipe that cannot be used, and why (never the offending value itself)."""


def _public_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be an http(s):// address (a cover's reference travels only as its URL)")
    return value


class Recipe(BaseModel):
    """What was asked, portable. `version` first, so a newer recipe is recognised as such."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Literal[1] = VERSION
    kind: Literal["song", "instrumental", "cover"]
    backend: str = Field(default=providers.MINIMAX, max_length=32)
    model: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$")
    title: str = Field(default="", max_length=200)
    prompt: str = Field(default="", max_length=PROMPT_MAX)
    lyrics: str = Field(default="", max_length=LYRICS_MAX)
    lyrics_optimizer: bool = False
    audio_setting: AudioSetting = AudioSetting()
    stream: bool = False
    seed: int | None = Field(default=None, ge=0, le=SEED_MAX)
    max_seconds: int | None = Field(default=None, ge=config.MUSIC3_MIN_SECONDS, le=config.MUSIC3_MAX_SECONDS)
    audio_url: str | None = Field(default=None, max_length=2048)
    cover_feature_id: str | None = Field(default=None, max_length=128, pattern=r"^[A-Za-z0-9_\-]+$")
    feature_id_until: float | None = None  # unix time the feature id stops being valid

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value not in providers.REGISTRY:
            raise ValueError(f"must be one of {', '.join(providers.REGISTRY)}")
        return value

    @field_validator("audio_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _public_url(value)

    # -- made from a request ------------------------------------------------------------------------------------

    @classmethod
    def from_params(
        cls, kind: str, params: dict[str, Any], backend: str, made_at: float | None = None, title: str = ""
    ) -> Recipe:
        """The recipe of a request as the studio saves it (MusicRequest.model_dump, without audio_base64); an
        uploaded reference, which has no URL, is left out."""
        made_at = time.time() if made_at is None else made_at
        fields = ("model", "prompt", "lyrics", "lyrics_optimizer", "stream", "seed", "max_seconds", "audio_url")
        data: dict[str, Any] = {k: params[k] for k in fields if params.get(k) is not None}
        if isinstance(params.get("audio_setting"), dict):
            data["audio_setting"] = params["audio_setting"]
        if params.get("cover_feature_id"):
            data["cover_feature_id"] = params["cover_feature_id"]
            data["feature_id_until"] = made_at + FEATURE_ID_VALID_S
        if data.get("audio_url") and not _is_http(data["audio_url"]):
            data.pop("audio_url")
        backend = backend if backend in providers.REGISTRY else providers.MINIMAX
        return cls(kind=kind, backend=backend, title=title[:200], **data)

    @classmethod
    def from_request(cls, request: MusicRequest, backend: str, title: str = "") -> Recipe:
        """The recipe of a request about to be (or just) sent."""
        params = request.model_dump(exclude={"audio_base64"}, exclude_none=True)
        return cls.from_params(request.kind, params, backend, title=title)

    # -- used -----------------------------------------------------------------------------------------------------

    def portable(self, now: float | None = None) -> Recipe:
        """The recipe as it may travel now: a feature id that has expired is left out."""
        now = time.time() if now is None else now
        if self.cover_feature_id and (self.feature_id_until or 0) <= now:
            return self.model_copy(update={"cover_feature_id": None, "feature_id_until": None})
        return self

    def request(self) -> MusicRequest:
        """The MusicRequest this recipe makes (validated as any request is)."""
        common: dict[str, Any] = {"model": self.model, "audio_setting": self.audio_setting, "stream": self.stream}
        if self.kind == "cover":
            ref = {"audio_url": self.audio_url} if self.audio_url else {"cover_feature_id": self.cover_feature_id}
            return MusicRequest.cover(self.prompt, lyrics=self.lyrics or None, **ref, **common)
        common.update(seed=self.seed, max_seconds=self.max_seconds)
        if self.kind == "instrumental":
            return MusicRequest.instrumental(self.prompt, **common)
        return MusicRequest.song(self.prompt, self.lyrics, lyrics_optimizer=self.lyrics_optimizer, **common)

    def to_json(self, indent: int | None = 2) -> str:
        """The recipe file's text (unset fields left out)."""
        body = self.model_dump(mode="json", exclude_defaults=True)
        body = {"version": self.version, "kind": self.kind, "backend": self.backend, **body}
        if indent is None:
            return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return json.dumps(body, ensure_ascii=False, indent=indent)

    def link_value(self) -> str:
        """The compact ?recipe= value: deflated JSON, base64url without padding."""
        packed = zlib.compress(self.to_json(indent=None).encode("utf-8"), 9)
        value = base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")
        if len(value) > LINK_MAX:
            raise RecipeError(f"this recipe is too long for a link ({len(value)} > {LINK_MAX} characters)")
        return value


def recipe_of_request(kind: str, params: dict[str, Any], backend: str, made_at: float | None = None) -> Recipe | None:
    """The recipe of a saved request, or None for what a recipe does not describe (music-01, an old request)."""
    if kind not in KINDS:
        return None
    try:
        return Recipe.from_params(kind, params, backend, made_at)
    except ValueError:
        return None


def _is_http(url: str) -> bool:
    try:
        return _public_url(url) is not None
    except ValueError:
        return False


def parse(data: Any) -> Recipe:
    """A recipe from decoded JSON, checked: an unknown version, field or value says which."""
    if not isinstance(data, dict):
        raise RecipeError("a recipe is a JSON object")
    version = data.get("version")
    if version != VERSION:
        shown = version if isinstance(version, int) and not isinstance(version, bool) else "missing"
        raise RecipeError(f"recipe version {shown} is not one this studio reads (it reads version {VERSION})")
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(f"recipe {_first_line(exc)}") from None


def _first_line(exc: ValidationError) -> str:
    lines = describe_validation_error(exc).splitlines()
    for e, line in zip(exc.errors(), lines, strict=False):
        if e.get("type") == "extra_forbidden":  # named only when the name is plain (it came from outside)
            name = ".".join(str(p) for p in e["loc"])
            return "has a field this studio does not know" + (f": {name}" if _PLAIN.fullmatch(name) else "")
        return line[:200]
    return "is not valid"


def from_json(text: str | bytes) -> Recipe:
    """A recipe from a file's text (at most JSON_MAX bytes)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > JSON_MAX:
        raise RecipeError(f"a recipe file is at most {JSON_MAX} bytes (this one has {len(raw)})")
    try:
        return parse(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RecipeError("a recipe is JSON, and this is not") from None


def from_link(value: str) -> Recipe:
    """A recipe from a ?recipe= value: size-checked before decoding, inflated to at most JSON_MAX bytes."""
    value = (value or "").strip()
    if len(value) > LINK_MAX:
        raise RecipeError(f"the recipe link is too long ({len(value)} > {LINK_MAX} characters)")
    try:
        packed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, JSON_MAX)
        if inflater.unconsumed_tail or not inflater.eof:
            raise RecipeError("the recipe link is damaged or too large once unpacked")
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError) as exc:
        if isinstance(exc, RecipeError):
            raise
        raise RecipeError("the recipe link is damaged (it does not unpack to a recipe)") from None
    return parse(data)
