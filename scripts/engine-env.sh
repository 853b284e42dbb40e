#!/bin/bash
# Source this file: it writes a hermetic podman/buildah configuration under a state directory and
# exports the environment that points the engine at it. Nothing under /etc/containers or
# /var/lib/containers is written (policy.json / registries.conf are still read from /etc/containers).
#
#   . scripts/engine-env.sh [STATE_DIR]     (default: ${ALMAC_ENGINE_STATE:-/tmp/almac-engine})
#
# Exports CONTAINERS_CONF, CONTAINERS_STORAGE_CONF (both absolute: a relative CONTAINERS_CONF breaks
# the build's copier subprocess), TMPDIR (buildah bundle dirs, otherwise /var/tmp) and
# ALMAC_ENGINE_STATE. Same layout as src/runner/engine/environment.ts.
# Why these settings (measured on Debian 12 hosts without CAP_SYS_RESOURCE and with hybrid cgroups):
#   - runtime runc: crun 1.8 refuses cgroup v1+v2 "hybrid" hosts
#   - default_ulimits nofile+nproc: podman asks for 1048576 which cannot be raised past the hard limit
#     without CAP_SYS_RESOURCE; BOTH must be set
#   - netns none: `podman run` needs no netavark/iptables (builds: pass --network none yourself,
#     podman build ignores this setting)
#   - tmp_dir: keeps /run/libpod out of it
__almac_state=${1:-${ALMAC_ENGINE_STATE:-/tmp/almac-engine}}
mkdir -p "$__almac_state"
__almac_state=$(cd "$__almac_state" && pwd)
mkdir -p "$__almac_state/conf" "$__almac_state/storage" "$__almac_state/run" "$__almac_state/tmp"
cat > "$__almac_state/conf/storage.conf" <<EOC
[storage]
driver = "overlay"
graphroot = "$__almac_state/storage"
runroot = "$__almac_state/run"
EOC
cat > "$__almac_state/conf/containers.conf" <<EOC
[containers]
default_ulimits = [
  "nofile=1024:1024",
  "nproc=1024:1024",
]
netns = "none"

[engine]
runtime = "runc"
tmp_dir = "$__almac_state/run/libpod"
EOC
export ALMAC_ENGINE_STATE="$__almac_state"
export CONTAINERS_CONF="$__almac_state/conf/containers.conf"
export CONTAINERS_STORAGE_CONF="$__almac_state/conf/storage.conf"
export TMPDIR="$__almac_state/tmp"
unset __almac_state
