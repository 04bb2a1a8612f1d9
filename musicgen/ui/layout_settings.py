"""The Settings tab: the visitor's own API keys (server-side, this session only), region and backend."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from .. import config, providers
from ..music3 import visitor_servers_allowed
from .session import Session


@dataclass
class SettingsTab:
    """Components of the Settings tab."""

    api_key: gr.Textbox
    region: gr.Radio
    backend: gr.Radio
    aimlapi_key: gr.Textbox
    access_code: gr.Textbox
    access_apply: gr.Button
    access_info: gr.HTML
    health: gr.HTML  # the chosen backend's health, for backends that have a check (hidden otherwise)
    server_url: gr.Textbox  # the visitor's own MiniMax-Music3 server (only with MUSICGEN_ALLOW_VISITOR_SERVERS=1)
    owner_code: gr.Textbox
    owner_apply: gr.Button
    owner_info: gr.HTML


def _code_box(
    elem_prefix: str, label: str, placeholder: str, info: str, button: str
) -> tuple[gr.Textbox, gr.Button, gr.HTML]:
    """A code box (password field, its button, the answer below): ids are `elem_prefix` + -code, -apply, -info."""
    code = gr.Textbox(
        value="", type="password", label=label, placeholder=placeholder, info=info, elem_id=f"{elem_prefix}-code"
    )
    apply = gr.Button(button, size="md", elem_id=f"{elem_prefix}-apply")
    return code, apply, gr.HTML("", elem_id=f"{elem_prefix}-info")


def build_settings_tab(start: Session) -> SettingsTab:
    """Key, region and backend pickers (set as a new visitor starts) with a word on where the key goes; the access
    code box first when the server asks for one (MUSICGEN_ACCESS_CODE), and the showcase owner's code when the server
    has one (MUSICGEN_OWNER_CODE)."""
    region_now = start.region_name()
    with gr.Column(elem_classes="mg-settings"):
        with gr.Column(visible=start.code_required, elem_id="settings-access"):
            access_code, access_apply, access_info = _code_box(
                "settings-access",
                "Access code",
                "The code you were invited with (Enter to use it)",
                "Invited guests get real songs on the studio's own key. Checked once, then forgotten: "
                "neither kept on this server nor stored in your browser.",
                "Use the code",
            )
        with gr.Accordion("Showcase owner", open=False, visible=start.owner_code_set, elem_id="settings-owner"):
            owner_code, owner_apply, owner_info = _code_box(
                "settings-owner",
                "Owner code",
                "The showcase owner's code (Enter to use it)",
                "Lets you publish Library songs to the Showcase, reorder and unpublish them, in this session. "
                "Checked once, then forgotten.",
                "Use the owner code",
            )
        api_key = gr.Textbox(
            value="",
            type="password",
            label="Your MiniMax API key",
            placeholder="Leave empty to use the server's key (or the demo engine when there is none)",
            elem_id="settings-key",
        )
        gr.Markdown(
            "Your key is kept on this server for this browser session only: it is never stored in your browser, "
            "never written to logs, and no other visitor can see or use it. Reloading the page forgets it. "
            "Scripts that call this studio's API use the server's key."
        )
        region = gr.Radio(
            choices=[("Global (api.minimax.io)", "global"), ("Mainland China (api.minimaxi.com)", "cn")],
            value=region_now if region_now in ("global", "cn") else "global",
            label="Region",
            info="Keys are region-bound: pick the one your key was issued for.",
            elem_id="settings-region",
        )
        aimlapi_key = gr.Textbox(
            value="",
            type="password",
            label="Your AI/ML API key (second provider)",
            placeholder="Leave empty to use the server's AIMLAPI_KEY, if it has one",
            info="The AI/ML API proxy serves MiniMax's song models (songs from given lyrics, and legacy music-01). "
            "Kept like the MiniMax key: on this server, for this session only.",
            elem_id="settings-aimlapi-key",
        )
        backend = gr.Radio(
            choices=[(p.label, p.name) for p in providers.offered()],
            value=start.provider(),
            label="Backend",
            info="MiniMax direct; the AI/ML API proxy (songs only: no instrumentals, covers or lyrics writing); or "
            "the demo engine, which synthesizes simple music locally with no key and no cost — it is not MiniMax.",
            elem_id="settings-backend",
        )
        health = gr.HTML("", visible=False, elem_id="settings-health")
        server_url = gr.Textbox(
            value="",
            label=f"Your {config.MUSIC3_LABEL} server (sglang-omni)",
            placeholder="http://gpu-box:8000 — leave empty to use this studio's server, if it has one",
            info="Kept on this server for this session only; the studio sends your songs there and checks its "
            "/health now.",
            max_lines=1,
            visible=visitor_servers_allowed(),  # never on a Space: a stranger must not pick where this server calls
            elem_id="settings-server-url",
        )
    return SettingsTab(
        api_key, region, backend, aimlapi_key, access_code, access_apply, access_info, health, server_url, owner_code,
        owner_apply, owner_info,
    )  # fmt: skip
