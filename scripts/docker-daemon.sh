#!/bin/bash
# A private docker daemon (Debian's docker.io) in a directory of its own: its own socket, data-root,
# exec-root, pidfile and (empty) config file, no iptables rules and no bridge. Nothing of the host's
# docker (system service, /var/lib/docker, /etc/docker/daemon.json, /run/docker.sock) is used.
#
# Usage: scripts/docker-daemon.sh start DIR [--owner PID]
#                                             start it (waits until it answers); prints the environment
#                                             to use it: DOCKER_HOST=unix://DIR/docker.sock and PATH
#                                             with DIR/bin first (DIR/bin/docker is Debian's CLI).
#                                             --owner PID: also stop it when process PID is gone (a
#                                             test runner that is killed leaves no daemon behind)
#        scripts/docker-daemon.sh stop DIR    stop it by the PID it recorded; waits for it to exit
#                                             (then SIGKILL), unmounts what it left under DIR
# DIR should be short: the socket path must fit in 107 bytes.
set -euo pipefail
die() { echo "docker-daemon: $*" >&2; exit 1; }
[ $# -eq 2 ] || [ $# -eq 4 ] && [ "${3:---owner}" = --owner ] || die "usage: docker-daemon.sh start|stop DIR [--owner PID]"
cmd=$1; mkdir -p "$2"; D=$(cd "$2" && pwd); OWNER=${4:-}
SOCK=$D/docker.sock PIDFILE=$D/dockerd.pid

stop() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then echo "docker-daemon: dockerd $pid ignored SIGTERM; SIGKILL" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  # the daemon's own containerd (a child of dockerd) exits with it; remove what is left under DIR
  local cpid; cpid=$(cat "$D/exec/containerd/containerd.pid" 2>/dev/null || true)
  if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null && tr '\0' ' ' < "/proc/$cpid/cmdline" | grep -q -- "$D/"; then
    kill -TERM "$cpid" 2>/dev/null || true; sleep 1; kill -KILL "$cpid" 2>/dev/null || true
  fi
  awk -v d="$D/" '$5 ~ "^"d { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -f "$PIDFILE" "$SOCK"
}

case "$cmd" in
  start)
    [ ${#SOCK} -lt 107 ] || die "socket path too long ($SOCK)"
    command -v dockerd >/dev/null || [ -x /usr/sbin/dockerd ] || die "dockerd not found (scripts/setup-docker.sh installs Debian's docker.io)"
    [ -x /usr/bin/docker ] || die "/usr/bin/docker not found (scripts/setup-docker.sh)"
    if [ -S "$SOCK" ] && [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      echo "docker-daemon: already running ($(cat "$PIDFILE"))" >&2
    else
      mkdir -p "$D/data" "$D/exec" "$D/bin"
      echo '{}' > "$D/daemon.json"
      ln -sfn /usr/bin/docker "$D/bin/docker"
      # setsid: its own session, so a Ctrl-C in the caller's terminal does not reach it; stopped by PID
      setsid /usr/sbin/dockerd --config-file "$D/daemon.json" --host "unix://$SOCK" --data-root "$D/data" \
        --exec-root "$D/exec" --pidfile "$PIDFILE" --iptables=false --ip6tables=false --bridge=none \
        --storage-driver=overlay2 > "$D/dockerd.log" 2>&1 < /dev/null &
      pid=$!
      for _ in $(seq 1 300); do
        if DOCKER_HOST=unix://$SOCK /usr/bin/docker version >/dev/null 2>&1; then break; fi
        kill -0 "$pid" 2>/dev/null || { tail -20 "$D/dockerd.log" >&2; die "dockerd exited during start-up (log: $D/dockerd.log)"; }
        sleep 0.2
      done
      DOCKER_HOST=unix://$SOCK /usr/bin/docker version >/dev/null 2>&1 || { stop; die "dockerd did not answer within 60 s (log: $D/dockerd.log)"; }
      [ -f "$PIDFILE" ] || echo "$pid" > "$PIDFILE"
      if [ -n "$OWNER" ]; then
        # watcher: stops this daemon once the owner is gone, or exits when the daemon is
        setsid bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 2; done
                        kill -0 "$2" 2>/dev/null && exec bash "$3" stop "$4"' _ "$OWNER" "$pid" "${BASH_SOURCE[0]}" "$D" \
          > /dev/null 2>&1 < /dev/null &
      fi
    fi
    echo "DOCKER_HOST=unix://$SOCK"
    echo "PATH=$D/bin:$PATH"
    ;;
  stop) stop ;;
  *) die "usage: docker-daemon.sh start|stop DIR" ;;
esac
