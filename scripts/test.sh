#!/usr/bin/env bash
# Set up (once) and run the whole test suite: lint, types, unit, stand-in, CLI, app, and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
bash scripts/system-deps.sh --with-browser
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m mypy  # over musicgen/ (pyproject.toml [tool.mypy]): the client is advertised as typed
exec .venv/bin/python -m pytest "$@"
