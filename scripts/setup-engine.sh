#!/bin/bash
# Install (from Debian's apt repository) everything the real-engine build tests need:
#   podman, buildah, runc       the container engine; runc because crun refuses this kind of host
#                               (cgroup v1 + v2 "hybrid" mounts)
#   rpm, createrepo-c, busybox-static   the offline fixture RPM repository (scripts/make-fixture-repo.sh)
#   dnf                         host route: dnf --installroot
#   mmdebstrap                  the builder image (scripts/make-builder-image.sh)
#   docker-registry, skopeo     local OCI registries for publishing tests, and reading them back
#   qemu-user-static, binfmt-support   foreign platforms (scripts/setup-binfmt.sh)
#   arch-test                   mmdebstrap needs it for a foreign-architecture builder (make-builder-image.sh --arch)
#   neovim                      the editor the language server is tested in (test/lsp/neovim.test.ts)
# Idempotent: asks dpkg what is already installed and only calls apt-get for what is missing
# (and runs `apt-get update` only then). Prints what it did.
# Usage: scripts/setup-engine.sh [--check]   (--check: only report, exit 1 when something is missing)
set -euo pipefail

PKGS=(podman buildah runc rpm createrepo-c dnf busybox-static mmdebstrap neovim docker-registry skopeo qemu-user-static binfmt-support arch-test)
PKGS+=(python3-debian xz-utils)  # almac library: tarballs (xz) and the deb822 cross-check of library files

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  case "$st" in ii*) ;; *) missing+=("$p") ;; esac
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-engine: all present (${PKGS[*]})"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "setup-engine: missing: ${missing[*]}"
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-engine: missing ${missing[*]}; run as root (or: sudo apt-get install -y --no-install-recommends ${missing[*]})" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
t0=$(date +%s)
echo "setup-engine: missing: ${missing[*]}"
echo "setup-engine: apt-get update"
apt-get update -q >/dev/null
echo "setup-engine: apt-get install -y -q --no-install-recommends ${missing[*]}"
apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-engine: installed ${#missing[@]} package(s) in $(( $(date +%s) - t0 ))s"
for c in podman buildah runc rpmbuild createrepo_c dnf busybox mmdebstrap nvim docker-registry skopeo update-binfmts; do
  command -v "$c" >/dev/null || { echo "setup-engine: '$c' still not on PATH" >&2; exit 1; }
done
