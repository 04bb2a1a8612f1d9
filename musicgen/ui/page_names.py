"""Names for screen readers that Gradio's players and file boxes cannot be given from Python (launch(js=...)).

Gradio names a player's buttons "Play", "Skip forward by 5 seconds", … and a file box's link by its size
("948.6 KB ⇣"). This page script, run once when the page loads, keeps two things named after what they hold:
- every player block (elem_classes "mg-player") becomes a group named "<its label>: <the file it plays>", e.g.
  "Selected song: Streetlights.mp3", so a screen reader says which song its Play button plays (the file is the
  one the metadata card in the same column names: the results panel's, or the Library's selected song's);
- every download link in an "mg-download" box is named "Download <file name> (<size>)";
- every field with a character counter (a gr.HTML whose elem_id is the field's plus "-count") is described by
  it (aria-describedby), and marked aria-invalid while the counter shows it out of bounds.
Only attributes Gradio's own markup does not set (role, aria-label, aria-describedby, aria-invalid) are touched, so
Gradio's updates never fight them; a MutationObserver renames as results arrive.
"""

from __future__ import annotations

PLAYER_CLASS = "mg-player"  # (PAGE_JS spells both class names out)
DOWNLOAD_CLASS = "mg-download"

PAGE_JS = """() => {
  const fileOf = (src) => decodeURIComponent((src || '').split('?')[0].split('/').pop() || '');
  const name = () => {
    for (const block of document.querySelectorAll('.mg-player')) {
      const label = block.querySelector('[data-testid="block-label"]')?.textContent.trim() || 'Player';
      const file = (block.closest('.column') || block.parentElement)?.querySelector('.mg-file')?.textContent.trim();
      const wanted = file ? `${label}: ${file}` : label;
      if (block.getAttribute('aria-label') !== wanted) {
        block.setAttribute('role', 'group');
        block.setAttribute('aria-label', wanted);
      }
    }
    for (const link of document.querySelectorAll('.mg-download a[download], .mg-download a[href*="/file="]')) {
      const file = link.getAttribute('download') || fileOf(link.getAttribute('href'));
      const size = link.textContent.replace(/[^\\p{L}\\p{N}.,\\s]/gu, '').trim();
      const wanted = `Download ${file}${size ? ` (${size})` : ''}`;
      if (file && link.getAttribute('aria-label') !== wanted) link.setAttribute('aria-label', wanted);
    }
    for (const count of document.querySelectorAll('[id$="-count"]')) {
      const field = document.querySelector(`#${count.id.slice(0, -6)} :is(textarea, input)`);
      if (!field) continue;
      if (field.getAttribute('aria-describedby') !== count.id) field.setAttribute('aria-describedby', count.id);
      const bad = String(!!count.querySelector('.mg-count-bad'));
      if (field.getAttribute('aria-invalid') !== bad) field.setAttribute('aria-invalid', bad);
    }
  };
  let queued = false;
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; name(); }); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                              attributeFilter: ['src', 'href', 'class']});
  name();
}"""
