#!/bin/bash
# Kill-safe `podman build` with a timeout (shell twin of src/runner/engine/exec.ts).
# Usage: scripts/engine-build.sh SECONDS [podman build args...]
# Use with a per-run store (. scripts/engine-env.sh DIR): after a failure it removes *all* buildah
# working containers of that store.
# Why: killing `podman build` leaves its RUN-step processes running (re-parented to PID 1), plus the
# working container, overlay mounts, runc state and /var/tmp/buildah* bundle dirs. Running podman as
# the init of a new PID namespace makes the kernel kill everything in it when podman dies;
# --mount-proc is required (runc reads /proc/<pid>/fd of the namespace's processes). setpriv --pdeathsig
# makes unshare (and so the namespace) die when `timeout` dies, even by SIGKILL.
set -u
SECS=$1; shift
export TMPDIR=${TMPDIR:-/tmp}
mkdir -p "$TMPDIR"
PD=(); command -v setpriv >/dev/null && PD=(setpriv --pdeathsig SIGKILL)   # die with our parent too
timeout --signal=KILL "$SECS" "${PD[@]}" unshare --pid --fork --mount-proc --kill-child=SIGKILL podman build "$@"
rc=$?
if [ $rc -ne 0 ]; then
  [ $rc -eq 137 ] && echo "engine-build: killed after ${SECS}s (or by a signal)" >&2
  buildah rm --all >/dev/null 2>&1
  runc list 2>/dev/null | awk -v t="$TMPDIR/" 'NR>1 && index($4,t)==1 {print $1}' | while read -r id; do
    runc delete --force "$id" >/dev/null 2>&1; done
  rm -rf "$TMPDIR"/buildah[0-9]*
fi
exit $rc
