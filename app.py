"""Entry point: `python app.py` serves the studio (also what a Hugging Face Space runs); `demo` is the Blocks."""

import os

# Before gradio is imported: no usage statistics, version checks or telemetry leave the machine.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from musicgen.ui import build_app, concurrency_from_env, launch_options  # noqa: E402

demo = build_app()

if __name__ == "__main__":
    demo.queue(default_concurrency_limit=concurrency_from_env()).launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        **launch_options(demo),
    )
