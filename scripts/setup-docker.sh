#!/bin/bash
# Install Debian's docker.io (dockerd + the docker CLI) when it is missing, for the docker-route tests.
# The daemon is never started as a system service: scripts/docker-daemon.sh runs a private one in a
# temporary directory. While apt installs, a policy-rc.d that forbids service starts is put in place
# (only if none exists, and removed again), so a host with an init system does not start the system
# docker service either.
# Usage: scripts/setup-docker.sh [--check]   (--check: only report, exit 1 when missing)
set -euo pipefail
PKGS=(docker.io)
missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  case "$st" in ii*) ;; *) missing+=("$p") ;; esac
done
if [ ${#missing[@]} -eq 0 ]; then echo "setup-docker: all present (${PKGS[*]})"; exit 0; fi
if [ "${1:-}" = --check ]; then echo "setup-docker: missing: ${missing[*]}"; exit 1; fi
[ "$(id -u)" -eq 0 ] || { echo "setup-docker: missing ${missing[*]}; run as root" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d ours=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# written by almac scripts/setup-docker.sh for the duration of one apt-get install\nexit 101\n' > "$policy"
  chmod 0755 "$policy"; ours=1
fi
cleanup() { if [ -n "$ours" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
t0=$(date +%s)
echo "setup-docker: apt-get install -y -q --no-install-recommends ${missing[*]}"
if ! apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null
  apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup-docker: installed ${missing[*]} in $(( $(date +%s) - t0 ))s"
[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || { echo "setup-docker: dockerd or docker still missing" >&2; exit 1; }
