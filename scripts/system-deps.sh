#!/usr/bin/env bash
# Debian packages the project needs: none to run the studio (live playback sends the song's own bytes to the
# browser, so no ffmpeg), chromium for the browser tests. Installs what is missing when it can (root, or
# passwordless sudo); otherwise says what to install.
set -u
want=()
[ "${1:-}" = "--with-browser" ] && want+=("chromium")
missing=()
for pkg in ${want[@]+"${want[@]}"}; do  # (bash 3.2, macOS: an empty array is "unbound")
  case "$pkg" in
    chromium) [ -x /usr/bin/chromium ] || missing+=("$pkg") ;;
    *) command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0  # also when nothing is wanted
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=""; fi
  fi
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    echo "installing ${missing[*]} with apt-get" >&2
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null && exit 0
  fi
fi
echo "note: ${missing[*]} not installed; install with your package manager (browser tests need chromium and are skipped without it)" >&2
exit 0
