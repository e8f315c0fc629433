#!/bin/sh
# Desktop integration for Linux (freedesktop): launcher, AppStream metadata, the .kza file type and icons.
#
#   packaging/install-desktop.sh                 for you only: ~/.local/share/...
#   PREFIX=/usr/local packaging/install-desktop.sh   system-wide (run as root)
#   DATADIR=/some/share packaging/install-desktop.sh  an exact data folder (staging, tests)
#   EXEC=/opt/kzannotate/kzannotate packaging/install-desktop.sh   the program is not on PATH
#   packaging/install-desktop.sh --uninstall     remove what this script installed
#
# Without EXEC the launcher runs `kzannotate` if it is on PATH (pip/pipx install), else the packaged
# program in dist/kzannotate/ if it was built. `make install-desktop` runs this script.
set -eu

APP_ID=io.github.kzannotate.kzannotate
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PREFIX=${PREFIX:-$HOME/.local}
DATADIR=${DATADIR:-$PREFIX/share}
SIZES="16 24 32 48 64 128 256 512"

say() { printf '%s\n' "$*"; }

refresh() {
    # Rebuild the caches desktops read; each tool is optional (not every system has all of them).
    if command -v update-mime-database >/dev/null 2>&1; then
        update-mime-database "$DATADIR/mime" >/dev/null 2>&1 || say "warning: update-mime-database failed"
    fi
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$DATADIR/applications" 2>/dev/null || true
    fi
    # Only refresh an icon cache that already exists: a new cache in ~/.local would hide icons added later.
    if [ -f "$DATADIR/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f "$DATADIR/icons/hicolor" || true
    fi
    touch "$DATADIR/icons/hicolor" 2>/dev/null || true
}

uninstall() {
    rm -f "$DATADIR/applications/$APP_ID.desktop" "$DATADIR/metainfo/$APP_ID.metainfo.xml" \
          "$DATADIR/mime/packages/$APP_ID.xml" "$DATADIR/icons/hicolor/scalable/apps/$APP_ID.svg"
    for size in $SIZES; do
        rm -f "$DATADIR/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
    done
    refresh
    say "removed kzannotate desktop integration from $DATADIR"
}

if [ "${1:-}" = "--uninstall" ]; then
    uninstall
    exit 0
elif [ -n "${1:-}" ]; then
    say "usage: $0 [--uninstall]   (environment: PREFIX, DATADIR, EXEC)" >&2
    exit 2
fi

# Which program the launcher starts.
if [ -n "${EXEC:-}" ]; then
    program=$EXEC
elif command -v kzannotate >/dev/null 2>&1; then
    program=kzannotate
elif [ -x "$ROOT/dist/kzannotate/kzannotate" ]; then
    program="$ROOT/dist/kzannotate/kzannotate"
else
    program=kzannotate
    say "warning: kzannotate is not on PATH and dist/kzannotate/ is not built; the launcher runs 'kzannotate'"
fi
case $program in
    *[\"\`\$\\]*) say "error: EXEC must not contain quotes, backquotes, \$ or backslashes: $program" >&2; exit 2 ;;
esac
case $program in
    */*) exec_line="\"$program\" %f" ;;  # an absolute path, quoted in case it holds spaces
    *) exec_line="$program %f" ;;
esac

mkdir -p "$DATADIR/applications" "$DATADIR/metainfo" "$DATADIR/mime/packages" \
         "$DATADIR/icons/hicolor/scalable/apps"
# The .desktop file with Exec/TryExec pointing at the chosen program.
tmp="$DATADIR/applications/.$APP_ID.desktop.tmp"
sed -e "s|^Exec=.*|Exec=$exec_line|" -e "s|^TryExec=.*|TryExec=$program|" \
    "$HERE/$APP_ID.desktop" > "$tmp"
chmod 644 "$tmp"
mv "$tmp" "$DATADIR/applications/$APP_ID.desktop"
install -m 644 "$HERE/$APP_ID.metainfo.xml" "$DATADIR/metainfo/$APP_ID.metainfo.xml"
install -m 644 "$HERE/$APP_ID.mime.xml" "$DATADIR/mime/packages/$APP_ID.xml"
icons="$ROOT/resources/icons/hicolor"
for size in $SIZES; do
    mkdir -p "$DATADIR/icons/hicolor/${size}x${size}/apps"
    install -m 644 "$icons/${size}x${size}/apps/$APP_ID.png" "$DATADIR/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
install -m 644 "$icons/scalable/apps/$APP_ID.svg" "$DATADIR/icons/hicolor/scalable/apps/$APP_ID.svg"
refresh
say "installed kzannotate desktop integration into $DATADIR (launcher runs: $exec_line)"
