"""Where to go when a backend closes its door: MiniMax saying a model, or its Music API, is not available to this
account (HTTP 404/410, 2061 "token plan not support model", 2153). The studio and the CLI say it in plain words and
list the ways on from the registry: the backend's other models, then every other backend that makes songs."""

from __future__ import annotations

from .. import errors


def ways_on(current: str, model: str = "", *, cli: bool = False) -> str:
    """The ways on from `current` refusing `model`: its other (paid) song models, then the other backends that make
    songs (on the command line as --provider names; in the studio, those the Settings tab offers)."""
    from . import REGISTRY, get  # the registry imports this package's modules first

    record = get(current)
    models = [m for m in record.can.song_models if m != model and not m.endswith("-free")]
    where = "with --model" if cli else "in the Model menu"
    steps = [f"another model ({' or '.join(models)}, {where})"] if models else []
    others = [p for p in REGISTRY.values() if p.name != current and p.can.song]
    if cli:
        steps += [f"--provider {p.name}: {p.way_on or p.label}" for p in others]
    else:
        here = [p.way_on or p.label for p in others if p.offered()]
        steps += ["switch the backend in the Settings tab to " + " or ".join(here)] if here else []
    return "Ways on: " + "; or ".join(steps) + "."


def closed_door(exc: BaseException, *, cli: bool = False) -> str:
    """MiniMax's closed door in plain words with the ways on; '' for any other failure (or a closed door with a
    hint of its own, like music-01's retirement)."""
    if not isinstance(exc, errors.ModelUnavailableError) or exc.hint != exc.default_hint:
        return ""
    if exc.provider not in ("minimax", ""):
        return ""
    said = f" It said: {exc.message.rstrip('.')}." if exc.message else ""
    return (
        f"MiniMax does not offer {exc.model or 'this model'} to this account (or on this host): its paid Music API "
        f"is closed to new accounts since 2026-08-20, and its free models are being retired.{said} "
        + ways_on("minimax", exc.model, cli=cli)
    )
