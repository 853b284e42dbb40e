#!/bin/bash
# Foreign platforms through qemu-user-static: mount binfmt_misc and enable the qemu handlers, and
# later undo exactly what this script did — nothing else. Global kernel state, so root only.
#
#   scripts/setup-binfmt.sh enable STATE_DIR    mount binfmt_misc if it is not mounted, enable each
#                                               qemu handler that is not registered yet; records
#                                               what it changed in STATE_DIR/binfmt-undo
#   scripts/setup-binfmt.sh disable STATE_DIR   undo what `enable` recorded in STATE_DIR, only that
#   scripts/setup-binfmt.sh check ARCH          exit 0 when a handler for ARCH (e.g. aarch64) is on
#
# Handlers already registered by someone else are left alone, and so is a binfmt_misc mount that
# existed before.
set -euo pipefail
BINFMT=/proc/sys/fs/binfmt_misc
cmd=${1:-}; state=${2:-}

is_mounted() { grep -qs " $BINFMT binfmt_misc " /proc/mounts; }

case "$cmd" in
  enable)
    [ -n "$state" ] || { echo "usage: $0 enable STATE_DIR" >&2; exit 2; }
    [ "$(id -u)" -eq 0 ] || { echo "setup-binfmt: must run as root" >&2; exit 1; }
    command -v update-binfmts >/dev/null && [ -d /usr/share/binfmts ] || { echo "setup-binfmt: qemu-user-static and binfmt-support are not installed (scripts/setup-engine.sh installs them)" >&2; exit 3; }
    mkdir -p "$state"; undo="$state/binfmt-undo"; : >> "$undo"
    if ! is_mounted; then
      mount -t binfmt_misc binfmt_misc "$BINFMT"
      echo "umount" >> "$undo"
    fi
    for f in /usr/share/binfmts/qemu-*; do
      name=$(basename "$f")
      [ -e "$BINFMT/$name" ] && continue
      if update-binfmts --enable "$name" >/dev/null 2>&1 && [ -e "$BINFMT/$name" ]; then
        echo "disable $name" >> "$undo"
      fi
    done
    echo "setup-binfmt: enabled $(grep -c '^disable' "$undo" || true) handler(s)$(grep -q '^umount' "$undo" && echo ', mounted binfmt_misc' || true)"
    ;;
  disable)
    [ -n "$state" ] || { echo "usage: $0 disable STATE_DIR" >&2; exit 2; }
    undo="$state/binfmt-undo"
    [ -f "$undo" ] || exit 0
    # Reverse order: handlers first, then the mount.
    tac "$undo" | while read -r action name; do
      case "$action" in
        disable) [ -e "$BINFMT/$name" ] && { update-binfmts --disable "$name" >/dev/null 2>&1 || echo -1 > "$BINFMT/$name" 2>/dev/null || true; } ;;
        umount) umount "$BINFMT" 2>/dev/null || true ;;
      esac
    done
    rm -f "$undo"
    ;;
  check)
    arch=${2:?usage: $0 check ARCH}
    [ -f "$BINFMT/qemu-$arch" ] && grep -qx enabled "$BINFMT/qemu-$arch"
    ;;
  *) echo "usage: $0 enable|disable STATE_DIR | check ARCH" >&2; exit 2 ;;
esac
