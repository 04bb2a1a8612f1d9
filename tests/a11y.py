"""The accessibility check every browser test can call: axe-core (bundled by axe-playwright-python) on the page now.

`AxeAudit.assert_no_new_violations(page, state)` fails on any axe violation that is not in KNOWN_GRADIO, the one
list of violations that come from inside Gradio's own components (each with the upstream issue it belongs to; the
README's accessibility section lists the same). Those are matched by rule and by a CSS selector the offending
element matches, so a violation of ours on another element is never hidden by them. The audit remembers which
known entries it saw: once every state of A11Y_STATES was audited in a run, an entry that never occurred fails
the run (the list cannot silently grow stale, and a Gradio upgrade that fixes one says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.0-2.2 A and AA, plus axe's best practices (headings, landmarks) that the issue asks for.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
}


@dataclass(frozen=True)
class Known:
    """A violation that comes from inside a Gradio component, not from our theme, CSS or markup."""

    rule: str
    selector: str  # CSS the offending element matches
    why: str  # what it is and the upstream issue


KNOWN_GRADIO = (
    Known(
        "aria-prohibited-attr",
        'div.empty[aria-label="Empty value"]',
        "The empty-state placeholder of gr.Audio and gr.File is a <div aria-label='Empty value'> with no role, so "
        "screen readers ignore the label (Gradio's Empty.svelte). No upstream issue of its own yet; Gradio's "
        "accessibility umbrella is gradio-app/gradio#1178.",
    ),
    Known(
        "nested-interactive",
        'div.toast-header[role="button"]',
        "An error toast's header is a role=button that holds the toast's own close button (Gradio's Toast "
        "component); the message itself is read out. No upstream issue of its own yet (gradio-app/gradio#1178).",
    ),
)
# The states a visitor sees (issue 15), each audited at laptop and phone width by tests/test_a11y_browser.py.
A11Y_STATES = frozenset(
    f"{state}-{width}"
    for state in (
        "song-empty", "instrumental-empty", "cover-empty", "library-empty", "settings",
        "song-generating", "song-result", "song-error-toast", "library-songs",
    )
    for width in ("laptop", "phone")
)  # fmt: skip


@dataclass
class AxeAudit:
    """Runs axe on a page, fails on violations of our own, and tracks which known Gradio ones still occur."""

    axe: Axe = field(default_factory=Axe)
    audited: set[str] = field(default_factory=set)
    seen: set[Known] = field(default_factory=set)

    def assert_no_new_violations(self, page: Any, state: str) -> None:
        """Run axe on `page` as it is now; fail, naming rule, element and why, on anything not in KNOWN_GRADIO."""
        violations = self.axe.run(page, options=AXE_OPTIONS).response["violations"]
        ours = []
        for v in violations:
            for node in v["nodes"]:
                known = self._known(page, v["id"], node["target"])
                if known is not None:
                    self.seen.add(known)
                    continue
                why = (node.get("any") or node.get("all") or node.get("none") or [{}])[0].get("message", "")
                ours.append(f"{v['id']} ({v['impact']}) at {node['target']}: {why}\n    {node['html'][:200]}")
        self.audited.add(state)
        assert not ours, f"{len(ours)} accessibility violation(s) in state {state!r}:\n  " + "\n  ".join(ours)

    def stale_known(self) -> list[Known]:
        """Known Gradio violations never seen, once every state of A11Y_STATES was audited (else nothing)."""
        if not self.audited >= A11Y_STATES:
            return []
        return [k for k in KNOWN_GRADIO if k not in self.seen]

    @staticmethod
    def _known(page: Any, rule: str, target: list) -> Known | None:
        for known in KNOWN_GRADIO:
            if known.rule != rule or len(target) != 1:  # a target inside an iframe or shadow root is never known
                continue
            if page.evaluate("([t, s]) => !!document.querySelector(t)?.matches(s)", [target[0], known.selector]):
                return known
        return None


# -- keyboard ------------------------------------------------------------------------------------------------------

# Counts every pointer press the page sees; keyboard activation (Enter, Space) fires none.
NO_MOUSE_JS = """() => { window.mgPointer = 0;
  for (const kind of ['pointerdown', 'mousedown', 'touchstart'])
    window.addEventListener(kind, () => { window.mgPointer += 1; }, true); }"""
FOCUS_JS = """() => { let e = document.activeElement;
  while (e?.shadowRoot?.activeElement) e = e.shadowRoot.activeElement;  // the waveform lives in a shadow root
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {what: e.tagName + ' ' + (e.getAttribute('aria-label') || e.innerText || e.className || '').slice(0, 40),
          visible: e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2};
}"""


def tab_to(page: Any, predicate: str, limit: int = 70, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element `e` satisfies the JS `predicate`; every control passed
    on the way must show its focus ring."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focus = page.evaluate(FOCUS_JS)
        if focus is None:  # past the last control: the browser's own UI, as it would be
            continue
        assert focus["visible"], f"no visible focus on {focus['what']!r}"
        passed.append(focus["what"])
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!({predicate}); }}"):
            return
    raise AssertionError(f"Tab never reached {predicate}; passed {passed}")


def in_block(elem_id: str, extra: str = "true") -> str:
    """A tab_to predicate: the focus is inside the block with this elem_id (and `extra` holds)."""
    return f"e.closest('#{elem_id}') && ({extra})"
