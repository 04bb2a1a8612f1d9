"""Shared fixtures. Telemetry is switched off before anything imports gradio or huggingface_hub."""

import os
import tempfile

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_TEMP_DIR", tempfile.mkdtemp(prefix="musicgen_gradio_tests_"))
# The song library of every app the tests build goes to a throwaway folder, never the real per-user data dir.
os.environ["MUSICGEN_DATA_DIR"] = tempfile.mkdtemp(prefix="musicgen_data_tests_")
for _name in ("MUSICGEN_LIBRARY_MAX_MB", "MUSICGEN_LIBRARY_MAX_BYTES", "MUSICGEN_LIBRARY_MAX_AGE_DAYS",
              "MUSICGEN_LIBRARY_SHARE_ALL", "SPACE_ID"):  # fmt: skip
    os.environ.pop(_name, None)
# Tests never read the developer's real key or host.
os.environ.pop("MINIMAX_API_KEY", None)
os.environ.pop("MINIMAX_BASE_URL", None)
os.environ.pop("AIMLAPI_KEY", None)
os.environ.pop("AIMLAPI_BASE_URL", None)
