"""The Gradio studio: build_app() returns the Blocks; launch_options() holds what launch() needs."""

from .app import build_app, concurrency_from_env, launch_options

__all__ = ["build_app", "concurrency_from_env", "launch_options"]
