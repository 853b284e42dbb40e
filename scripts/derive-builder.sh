#!/bin/bash
# Derive a builder image that has package repositories configured, from the repo-less builder
# (scripts/make-builder-image.sh). This is how the fixture repository reaches the builds: the generated
# Containerfiles then run unchanged with --build-arg SYSBASE=<TAG>.
#
# Usage: scripts/derive-builder.sh BASE TAG NAME=DIR|URL [NAME=DIR|URL ...]
#   NAME=DIR  a local repository directory (with repodata/): copied INTO the image at /srv/almac-repos/NAME,
#             baseurl=file:///srv/almac-repos/NAME. Copying (rather than `podman build -v DIR:...`)
#             keeps the build command identical to a real one and works with every engine.
#   NAME=URL  http(s)/file URL: used as baseurl as is (builds run with --network none, so http(s)
#             repos only work with network-enabled builds).
# Every repo gets gpgcheck=0 (fixture packages are unsigned) and skip_if_unavailable=False (Debian's
# dnf.conf defaults to True, which would hide a broken repo until a package is "not found").
set -euo pipefail
die() { echo "derive-builder: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: derive-builder.sh BASE TAG NAME=DIR|URL..."
BASE=$1 TAG=$2; shift 2
CTX=$(mktemp -d "${TMPDIR:-/tmp}/almac-derive.XXXXXX")
trap 'rm -rf "$CTX"' EXIT
mkdir -p "$CTX/repos" "$CTX/yum.repos.d"
for spec in "$@"; do
  name=${spec%%=*} src=${spec#*=}
  [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] && [ "$name" != "$spec" ] || die "bad repo spec '$spec' (NAME=DIR|URL)"
  case "$src" in
    http://*|https://*|file://*|ftp://*) url=$src ;;
    *) [ -f "$src/repodata/repomd.xml" ] || die "$src is not a repository (no repodata/repomd.xml)"
       cp -a "$src" "$CTX/repos/$name"; rm -f "$CTX/repos/$name/.fixture-stamp"
       url=file:///srv/almac-repos/$name ;;
  esac
  printf '[%s]\nname=%s (almac)\nbaseurl=%s\nenabled=1\ngpgcheck=0\nrepo_gpgcheck=0\nskip_if_unavailable=False\n' \
    "$name" "$name" "$url" > "$CTX/yum.repos.d/$name.repo"
done
cat > "$CTX/Containerfile" <<EOC
FROM $BASE
COPY repos/ /srv/almac-repos/
COPY yum.repos.d/ /etc/yum.repos.d/
EOC
old=$(podman image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)
podman build -q --pull=never --layers=false --network none -t "$TAG" "$CTX" >/dev/null
new=$(podman image inspect --format '{{.Id}}' "$TAG")
if [ -n "$old" ] && [ "$old" != "$new" ]; then podman rmi "$old" >/dev/null 2>&1 || true; fi
echo "derive-builder: $TAG = $BASE + repos: $*"
