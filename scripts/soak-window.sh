#!/usr/bin/env bash
# A real window for a while (issue 8: the GUI must not abort). Starts Xvfb on a free display,
# fills a demo database in a temporary folder, starts the real app on it, signs in by keyboard
# (xdotool) as a clerk-supervisor, looks at the Handover and Keys pages, goes to the Reception page (Go menu: Ctrl+8), opens an
# incoming call (F3) and a visitor (F2) so their timers tick, and leaves the window alone for
# MINUTES (default 15). The idle lock comes on after 5 minutes as at a desk; the page keeps
# ticking under it. At the end the password is typed into the lock window, then File → Quit
# (Ctrl+Q). Screenshots (import -window root) at the start, every 5 minutes and at the end;
# latest.png is taken every minute, so an app that aborts leaves its last minute on screen.
#
#   scripts/soak-window.sh [MINUTES]
#
# Environment: DESK_APP (the desk-app to run; default .venv/bin/desk-app, e.g. another venv's
# to try another PySide6), SOAK_OUT (folder for screenshots and the app's output; default
# var/soak-window/<time>), SOAK_USER (demo user who sees Reception; default zhoumin, whose
# eighth page is Reception).
#
# Prints the app's exit code and any "Fatal Python error" from its stderr; exits 0 only if the
# app ran the whole time and exited 0 without one.
set -euo pipefail

minutes=${1:-15}
[[ $minutes =~ ^[0-9]+$ ]] || { echo "usage: $0 [MINUTES]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
app=${DESK_APP:-$root/.venv/bin/desk-app}
user=${SOAK_USER:-zhoumin}
password=demo1234
reception_key=ctrl+8  # zhoumin/wangfang: Today, Archive, Loans, Approvals, Documents, Handover,
# Keys, Reception
out=${SOAK_OUT:-$root/var/soak-window/$(date +%Y%m%d-%H%M%S)}
for tool in Xvfb xdotool import; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install xvfb xdotool imagemagick)" >&2; exit 2; }
done
[[ -x $app ]] || { echo "no desk-app at $app" >&2; exit 2; }

mkdir -p "$out"
work=$(mktemp -d)
xvfb_pid="" app_pid=""
cleanup() {
    [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null || true
    [[ -n $xvfb_pid ]] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export DESK_LOG_DIR="$out/log" DESK_LANG=en
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state"
unset DESK_USER DESK_PASSWORD DESK_SMOKE_PAGES DESK_EXIT_AFTER_LOGIN_SHOWN QT_QPA_PLATFORM
db="sqlite:///$work/demo.db"

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# ---------------------------------------------------------------- X server on a free display
Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp 3>"$work/display" 2>"$out/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 50); do [[ -s $work/display ]] && break; sleep 0.1; done
[[ -s $work/display ]] || { echo "Xvfb did not start (see $out/xvfb.log)" >&2; exit 1; }
export DISPLAY=":$(head -n 1 "$work/display")"
say "Xvfb on $DISPLAY"

shot() {  # shot NAME: a screenshot of the whole screen
    import -window root "$out/$1.png" 2>/dev/null && say "screenshot $out/$1.png"
}
window() {  # window TITLE-REGEX: id of the first visible window with that title (waits 60 s)
    local ids
    ids=$(timeout 60 xdotool search --sync --onlyvisible --name "$1") || return 1
    echo "${ids%%$'\n'*}"
}
focus() {  # focus WINDOW-ID: give it the keyboard (there is no window manager)
    xdotool windowfocus "$1"
    sleep 0.5
}
alive() { kill -0 "$app_pid" 2>/dev/null; }

# ---------------------------------------------------------------- demo database, the app
"$app" --db "$db" demo >"$out/demo.log" 2>&1 || { echo "demo failed: $(tail -n 5 "$out/demo.log")" >&2; exit 1; }
pyside=$("$(dirname "$app")/python" -c 'import PySide6; print(PySide6.__version__)' 2>/dev/null || echo '?')
say "demo database ready; starting $app (PySide6 $pyside)"
"$app" --db "$db" >"$out/app.stdout" 2>"$out/app.stderr" &
app_pid=$!
started=$SECONDS

# ---------------------------------------------------------------- sign in, Reception, entries
login=$(window 'Sign in') || { echo "no sign-in window" >&2; exit 1; }
sleep 3  # the database opens once the sign-in window is on screen
focus "$login"
xdotool type --delay 40 "$user"
xdotool key Tab
xdotool type --delay 40 "$password"
xdotool key Return
# The sign-in window's title names the product too ("Sign in — Front Desk & Archive"): wait
# until it has gone, then find the main window ("<company> — Front Desk & Archive").
for _ in $(seq 60); do
    xdotool search --onlyvisible --name '^Sign in' >/dev/null 2>&1 || break
    sleep 1
done
main=$(window 'Front Desk & Archive') || { shot failed-sign-in; echo "no main window" >&2; exit 1; }
say "signed in as $user"
sleep 2
xdotool windowsize "$main" 1900 1040  # wide enough for the timer columns of the Now table
sleep 1
focus "$main"
xdotool key ctrl+6  # the Handover page: the demo's open handover, its checklist, what blocks
sleep 3
shot handover
xdotool key ctrl+7  # Keys & equipment: three out, one overdue
sleep 2
shot keys
xdotool key "$reception_key"
sleep 1
xdotool key F3  # the phone rings: an entry whose answer timer runs
sleep 1
xdotool key F2  # a visitor arrives: the form, a name, Enter
visitor=$(window 'Visitor arrives') || { shot failed-visitor; echo "no visitor form" >&2; exit 1; }
focus "$visitor"
xdotool type --delay 40 "Soak Visitor"
xdotool key Return
sleep 1
focus "$main"
sleep 5
shot start

# ---------------------------------------------------------------- leave it alone
deadline=$((SECONDS + minutes * 60))
next_shot=$((SECONDS + 300))
next_latest=$((SECONDS + 60))
locked_at=""
while alive && ((SECONDS < deadline)); do
    sleep 5
    if [[ -z $locked_at ]] && xdotool search --onlyvisible --name 'Locked' >/dev/null 2>&1; then
        locked_at=$(( (SECONDS - started) / 60 ))
        say "idle lock after about $locked_at min"
    fi
    if ((SECONDS >= next_shot && SECONDS < deadline)); then
        shot "after-$(( (SECONDS - started) / 60 ))min"
        next_shot=$((next_shot + 300))
    fi
    if ((SECONDS >= next_latest)) && alive; then
        import -window root "$out/latest.png" 2>/dev/null || true
        next_latest=$((next_latest + 60))
    fi
done
ran=$(( SECONDS - started ))

# ---------------------------------------------------------------- unlock, quit
code=""
if alive; then
    lock=$(xdotool search --onlyvisible --name 'Locked' 2>/dev/null | head -n 1 || true)
    if [[ -n $lock ]]; then
        shot end-locked
        focus "$lock"
        xdotool type --delay 40 "$password"
        xdotool key Return
        sleep 2
    fi
    focus "$main"
    sleep 1
    shot end
    say "File → Quit (Ctrl+Q)"
    xdotool key ctrl+q
    for _ in $(seq 60); do alive || break; sleep 0.5; done
    if alive; then
        shot end-not-quit
        say "the app did not quit within 30 s; killing it"
        kill "$app_pid"
    fi
else
    say "the app ended by itself after $((ran / 60)) min $((ran % 60)) s (latest.png: its last minute)"
    shot end
fi
wait "$app_pid" && code=0 || code=$?
app_pid=""

# ---------------------------------------------------------------- report
fatal=$(grep -m 1 'Fatal Python error' "$out/app.stderr" || true)
echo "soak-window: PySide6 $pyside, window up $((ran / 60)) min $((ran % 60)) s of $minutes min," \
     "app exit code $code"
[[ -n $locked_at ]] && echo "soak-window: idle lock came on after about $locked_at min"
if [[ -n $fatal ]]; then
    echo "soak-window: $fatal"
    grep -A 8 'Fatal Python error' "$out/app.stderr" | sed 's/^/    /'
fi
echo "soak-window: screenshots and output in $out"
[[ $code == 0 && -z $fatal ]]
