#!/usr/bin/env bash
# Checks the system libraries the Qt wheels need on Debian/Ubuntu and installs the
# missing ones when it can (root, or sudo without a password); otherwise prints the
# exact command and fails, instead of Qt failing later with a plugin error.
#   scripts/system-deps.sh base     python3-venv (for the project's virtual environment)
#   scripts/system-deps.sh gui      libraries for a real window (X11/Wayland desktop)
#   scripts/system-deps.sh test     libraries for the offscreen platform, and poppler-utils
set -euo pipefail
mode=${1:-gui}

base=(python3-venv)
offscreen=(libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6
           libxkbcommon0)
window=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-util1 libxcb-image0
        libxcb-keysyms1 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-xkb1
        libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb-xinerama0)
case "$mode" in
  base) wanted=("${base[@]}") ;;
  gui) wanted=("${base[@]}" "${offscreen[@]}" "${window[@]}") ;;
  test) wanted=("${base[@]}" "${offscreen[@]}" poppler-utils libnss3-tools) ;;  # poppler reads PDFs; NSS tools give pdfsig a CRL
  *) echo "usage: $0 base|gui|test" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; make sure the Qt 6 runtime libraries are installed." >&2
  exit 0
fi
# python3-venv is only needed when the interpreter lacks ensurepip.
if python3 -c 'import ensurepip' >/dev/null 2>&1; then wanted=("${wanted[@]/python3-venv}"); fi

missing=()
for package in "${wanted[@]}"; do
  [ -n "$package" ] || continue
  # t64 renames (Ubuntu 24.04, Debian 13) satisfy the same need.
  status=$(dpkg-query -W -f='${Status}\n' "$package" "${package}t64" 2>/dev/null || true)
  [[ $status == *"install ok installed"* ]] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

resolved=()
for package in "${missing[@]}"; do
  if apt-cache show "${package}t64" >/dev/null 2>&1; then resolved+=("${package}t64"); else resolved+=("$package"); fi
done
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else
  echo "system-deps: missing system packages. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${resolved[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${resolved[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${resolved[@]}" >/dev/null
