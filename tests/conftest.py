"""Shared fixtures. Telemetry is switched off before anything imports gradio or huggingface_hub."""

import os
import tempfile

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_TEMP_DIR", tempfile.mkdtemp(prefix="musicgen_gradio_tests_"))
# Tests never read the developer's real key or host.
os.environ.pop("MINIMAX_API_KEY", None)
os.environ.pop("MINIMAX_BASE_URL", None)
