#!/bin/bash
# Local OCI registries for tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1, each
# instance with its config and data in its own temporary directory, on a port chosen at run time,
# stopped by its PID. Never touches /etc/docker/registry or a system service.
#
#   scripts/test-registry.sh start DIR     start one instance under DIR (created; must be empty or
#                                          absent); prints "127.0.0.1:PORT" and writes DIR/address
#   scripts/test-registry.sh stop DIR      stop the instance started under DIR (by DIR/pid)
#   scripts/test-registry.sh status DIR    exit 0 when it answers /v2/
#
# Several instances (one DIR each) stand for several registries.
set -euo pipefail

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }

answers() { curl -fsS -o /dev/null --max-time 2 "http://$1/v2/" 2>/dev/null; }

free_port() {
  # Let the kernel choose: bind port 0 on 127.0.0.1 and report what it gave.
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

case "$cmd" in
  start)
    command -v docker-registry >/dev/null || { echo "test-registry: docker-registry is not installed (scripts/setup-engine.sh installs it)" >&2; exit 3; }
    mkdir -p "$dir/data"
    [ ! -e "$dir/pid" ] || { echo "test-registry: $dir already holds an instance (pid $(cat "$dir/pid"))" >&2; exit 1; }
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      cat > "$dir/config.yml" <<YML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port, secret: almac-test-registry}
YML
      setsid docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 < /dev/null &
      pid=$!
      echo "$pid" > "$dir/pid"
      for _ in $(seq 1 100); do
        if answers "127.0.0.1:$port"; then echo "127.0.0.1:$port" > "$dir/address"; echo "127.0.0.1:$port"; exit 0; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      # Lost the port to another process, or slow to start: stop it and try another port.
      kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
      rm -f "$dir/pid"
    done
    echo "test-registry: docker-registry did not start; its log:" >&2; cat "$dir/log" >&2; exit 1
    ;;
  stop)
    [ -f "$dir/pid" ] || exit 0
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/pid"
    ;;
  status)
    [ -f "$dir/address" ] && answers "$(cat "$dir/address")"
    ;;
  *) echo "usage: $0 start|stop|status DIR" >&2; exit 2 ;;
esac
