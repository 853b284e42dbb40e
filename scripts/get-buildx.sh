#!/bin/bash
# The docker buildx CLI plugin, for `docker buildx bake --print` in the tests, without a system-wide
# install. Prints the plugin's path (exit 0), or says why none can be had (exit 1).
#   1. an already fetched plugin:     .almac/tools/docker/cli-plugins/docker-buildx (gitignored)
#   2. an installed one:              /usr/libexec/docker/cli-plugins/docker-buildx (Debian's docker-buildx)
#   3. Debian's docker-buildx package from the machine's own apt sources: this release's if it has
#      one, else the next Debian release's (bookworm has none; trixie's 0.13 needs only libc6 >= 2.34).
#      apt runs with private lists, cache and source list (the URI and keyring are the ones the
#      machine's apt configuration already uses for its Debian suite), so the host's apt state is not
#      changed; only the plugin binary is unpacked from the .deb.
# Usage: scripts/get-buildx.sh [--check]   (--check: never download; exit 1 when no plugin is at hand)
set -euo pipefail
die() { echo "get-buildx: $*" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEST=$(cd "$HERE/.." && pwd)/.almac/tools/docker/cli-plugins
PLUGIN=$DEST/docker-buildx
works() { [ -x "$1" ] && "$1" version >/dev/null 2>&1; }

if works "$PLUGIN"; then echo "$PLUGIN"; exit 0; fi
for p in /usr/libexec/docker/cli-plugins/docker-buildx /usr/lib/docker/cli-plugins/docker-buildx; do
  if works "$p"; then echo "$p"; exit 0; fi
done
[ "${1:-}" = --check ] && die "no docker buildx plugin at hand"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "no apt-get/dpkg-deb: cannot fetch Debian's docker-buildx"

# The machine's Debian source: URI, suite (its codename) and keyring, from deb822 .sources or one-line .list files.
. /etc/os-release
CODENAME=${VERSION_CODENAME:-}
[ -n "$CODENAME" ] || die "no VERSION_CODENAME in /etc/os-release"
read -r URI KEYRING < <(
  { for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && awk -v RS= -v c="$CODENAME" '
      { uri=""; suites=""; key="";
        n = split($0, L, "\n");
        for (i = 1; i <= n; i++) {
          if (L[i] ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", L[i]); split(L[i], u, " "); uri = u[1] }
          if (L[i] ~ /^Suites:/) { suites = " " L[i] " " }
          if (L[i] ~ /^Signed-By:/) { sub(/^Signed-By:[ \t]*/, "", L[i]); key = L[i] }
        }
        if (uri != "" && index(suites, " " c " ")) print uri, (key == "" ? "-" : key) }' "$f"; done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [ -f "$f" ] && sed -n -E \
      "s/^deb[ \t]+(\[([^]]*)\][ \t]+)?([^ \t]+)[ \t]+$CODENAME[ \t].*/\3 \2/p" "$f" | \
      sed -E 's/ .*signed-by=([^ ]+).*/ \1/; t; s/ .*/ -/; s/^([^ ]+)$/\1 -/'; done
  } 2>/dev/null | head -n1)
[ -n "${URI:-}" ] || die "the apt sources name no Debian suite '$CODENAME' to derive the package source from"
[ "$KEYRING" != - ] || KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
case "$CODENAME" in
  bullseye) NEXT=bookworm ;; bookworm) NEXT=trixie ;; trixie) NEXT=forky ;; *) NEXT= ;;
esac

W=$(mktemp -d "${TMPDIR:-/tmp}/almac-buildx.XXXXXX")
trap 'rm -rf "$W"' EXIT
fetch() { # SUITE: try to download docker-buildx from URI SUITE main
  rm -rf "$W/lists" "$W/cache"; mkdir -p "$W/lists/partial" "$W/cache/archives/partial" "$W/debs"
  echo "deb [signed-by=$KEYRING] $URI $1 main" > "$W/sources.list"
  local A=(-o Dir::Etc::SourceList="$W/sources.list" -o Dir::Etc::SourceParts=/nonexistent
           -o Dir::State::Lists="$W/lists" -o Dir::Cache="$W/cache" -o APT::Sandbox::User=root)
  apt-get "${A[@]}" -qq update >&2 || return 1
  (cd "$W/debs" && apt-get "${A[@]}" -qq download docker-buildx >&2) || return 1
}
mkdir -p "$W/debs"
if [ -n "$(apt-cache madison docker-buildx 2>/dev/null)" ]; then
  # this release has it: download with the machine's own apt configuration (no install)
  echo "get-buildx: downloading $CODENAME's docker-buildx" >&2
  (cd "$W/debs" && apt-get -qq -o APT::Sandbox::User=root download docker-buildx >&2) || die "apt-get download docker-buildx failed"
else
  [ -n "$NEXT" ] || die "Debian $CODENAME has no docker-buildx, and no next release is known"
  echo "get-buildx: $CODENAME has no docker-buildx; fetching $NEXT's from $URI" >&2
  fetch "$NEXT" || die "no docker-buildx package in $NEXT"
fi
mkdir -p "$DEST"
dpkg-deb --fsys-tarfile "$W"/debs/docker-buildx_*.deb | tar -x -O ./usr/libexec/docker/cli-plugins/docker-buildx > "$PLUGIN.partial" \
  || die "the docker-buildx package holds no ./usr/libexec/docker/cli-plugins/docker-buildx"
chmod 0755 "$PLUGIN.partial"
works "$PLUGIN.partial" || { rm -f "$PLUGIN.partial"; die "the fetched docker-buildx does not run here"; }
mv "$PLUGIN.partial" "$PLUGIN"
basename "$W"/debs/docker-buildx_*.deb > "$DEST/docker-buildx.SOURCE"
echo "get-buildx: $("$PLUGIN" version) -> $PLUGIN" >&2
echo "$PLUGIN"
