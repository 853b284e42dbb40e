#!/bin/bash
# Offline end-to-end smoke test of the real-engine build path, with per-step timings:
#   fixture repo -> builder image -> derived builder with the repo -> build the hand-written
#   upstream-shaped Containerfiles (test/e2e/containerfiles/Containerfile.<type>) -> podman run + checks;
#   and the host route: dnf --installroot -> tar -> podman import -> run.
# Usage: scripts/e2e-smoke.sh [WORKDIR] [TYPE...]    (default WORKDIR /tmp/almac-e2e; all five 9/* types)
# Env: ALMAC_CACHE (builder tarball cache), KEEP=1 keeps the per-run store (default: podman system reset).
# Exit status 0 only when every check passed. Prints "N passed, N failed" at the end.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
W=${1:-/tmp/almac-e2e}; [ $# -gt 0 ] && shift
TYPES=("$@"); [ ${#TYPES[@]} -gt 0 ] || TYPES=(minimal micro base init default)
mkdir -p "$W"; W=$(cd "$W" && pwd)
pass=0 fail=0
ok() { echo "  ok   $*"; pass=$((pass+1)); }
ko() { echo "  FAIL $*"; fail=$((fail+1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else ko "$what"; fi; }
exec 3>&1   # timings go to the original stdout even when a step's output is redirected to a log
T() { local s; s=$(date +%s%N); "$@"; local rc=$?; printf '  [%7.2fs] %s\n' "$(( $(date +%s%N) - s ))e-9" "$*" | cut -c1-150 >&3; return $rc; }

"$HERE/setup-engine.sh" --check || { echo "run scripts/setup-engine.sh first" >&2; exit 1; }
. "$HERE/engine-env.sh" "$W/engine"
echo "== store: $ALMAC_ENGINE_STATE"

echo "== fixture repository"
T "$HERE/make-fixture-repo.sh" "$W/repo" --with-updates || exit 1

echo "== builder image"
T "$HERE/make-builder-image.sh" || exit 1
T "$HERE/derive-builder.sh" localhost/almac-builder:bookworm localhost/almac-builder:fixture fixture="$W/repo" >/dev/null || exit 1
check "builder: no repo files in the base builder" \
  test -z "$(podman run --rm localhost/almac-builder:bookworm sh -c 'ls /etc/yum.repos.d')"
check "builder: rpm dbpath is /var/lib/rpm" \
  test "$(podman run --rm localhost/almac-builder:bookworm rpm --eval %_dbpath)" = /var/lib/rpm

run() { podman run --rm "$@" 2>&1; }
# rpm queries run on the HOST against the mounted image (busybox inside cannot read the sqlite rpmdb)
rpmq() { local img=$1 m rc; shift; m=$(podman image mount "$img") || return 1
         rpm --root "$m" --dbpath /var/lib/rpm -q "$@" >/dev/null 2>&1; rc=$?; podman image unmount "$img" >/dev/null; return $rc; }
rpm_absent() { local img=$1 p; shift; for p in "$@"; do rpmq "$img" "$p" && return 1; done; return 0; }
for t in "${TYPES[@]}"; do
  echo "== 9/$t: build"
  img=localhost/almac-e2e:9-$t
  podman rmi --ignore "$img" >/dev/null 2>&1   # a rebuilt tag would leave the old image dangling
  if ! T "$HERE/engine-build.sh" 600 -q --pull=never --layers=false --network none \
        --build-arg SYSBASE=localhost/almac-builder:fixture -t "$img" \
        -f "$ROOT/test/e2e/containerfiles/Containerfile.$t" "$ROOT/test/e2e/containerfiles" >"$W/build-$t.log" 2>&1; then
    ko "9/$t build (log: $W/build-$t.log)"; tail -20 "$W/build-$t.log"; continue
  fi
  ok "9/$t build"
  echo "== 9/$t: run"
  T podman run --rm "$img" >"$W/run-$t.log" 2>&1 && ok "9/$t default command exits 0" || ko "9/$t default command"
  check "9/$t /bin/sh works" test "$(run "$img" /bin/sh -c 'echo hi')" = hi
  check "9/$t rootfiles in /root" run "$img" test -s /root/.bashrc -a -s /root/.tcshrc
  check "9/$t no docs (--nodocs)" test -z "$(run "$img" /bin/sh -c 'ls /usr/share/doc')"
  check "9/$t rpmdb in /var/lib/rpm" run "$img" test -s /var/lib/rpm/rpmdb.sqlite
  check "9/$t no /etc/yum.repos.d" run "$img" test ! -e /etc/yum.repos.d
  check "9/$t single layer" test "$(podman image inspect --format '{{len .RootFS.Layers}}' "$img")" = 1
  case $t in
    micro)
      # glibc -> basesystem -> system-release: even micro gets almalinux-release
      check "9/micro os-release (via basesystem)" sh -c "podman run --rm $img cat /etc/almalinux-release | grep -q 'AlmaLinux release 9.8'"
      check "9/micro has no microdnf/dnf/rpm" rpm_absent "$img" microdnf dnf rpm ;;
    *)
      check "9/$t os-release" sh -c "podman run --rm $img cat /etc/os-release | grep -q '^VERSION_ID=\"9.8\"'"
      check "9/$t krb5-libs installed" run "$img" test -e /usr/lib64/libkrb5.so.3
      check "9/$t systemd-oom user" sh -c "podman run --rm $img cat /etc/passwd | grep -q '^systemd-oom:x:995:995:'"
      check "9/$t sgx dropped from group-" sh -c "! podman run --rm $img cat /etc/group- | grep -q sgx" ;;
  esac
  case $t in
    minimal) check "9/minimal has microdnf bash" rpmq "$img" microdnf bash
             check "9/minimal has no dnf, no python3" rpm_absent "$img" dnf python3 ;;
    base)    check "9/base has bash systemd yum" rpmq "$img" bash systemd yum ;;
    init)    check "9/init has procps-ng" rpmq "$img" procps-ng ;;
    default) check "9/default has binutils yum krb5-libs" rpmq "$img" binutils yum krb5-libs ;;
  esac
  case $t in
    base|init|default)
      check "9/$t default target" test "$(run "$img" readlink /etc/systemd/system/default.target)" = /usr/lib/systemd/system/multi-user.target
      check "9/$t getty.target masked" test "$(run "$img" readlink /etc/systemd/system/getty.target)" = /dev/null
      check "9/$t LANG" sh -c "podman image inspect --format '{{.Config.Env}}' $img | grep -q LANG=C.utf8" ;;
  esac
  [ "$t" = init ] && check "9/init STOPSIGNAL + /sbin/init" sh -c \
    "podman image inspect --format '{{.Config.StopSignal}} {{.Config.Cmd}}' $img | grep -qx 'SIGRTMIN+3 \[/sbin/init\]'"
done

echo "== host route: dnf --installroot -> tar -> podman import -> run"
rm -rf "$W/hostroot" "$W/rpmhome"; mkdir -p "$W/hostroot" "$W/rpmhome"
echo '%_dbpath /var/lib/rpm' > "$W/rpmhome/.rpmmacros"       # Debian's rpm defaults to ~/.rpmdb
DNF=(env HOME="$W/rpmhome" dnf -y -q --installroot "$W/hostroot" --releasever 9
     --repofrompath=fixture,"file://$W/repo" --repo fixture --setopt=fixture.gpgcheck=0
     --setopt install_weak_deps=false --nodocs)
T "${DNF[@]}" install almalinux-release bash coreutils-single glibc-minimal-langpack microdnf rootfiles >"$W/host-dnf.log" 2>&1 \
  && ok "host dnf install" || ko "host dnf install (log: $W/host-dnf.log)"
check "host rpm --root -q bash" env HOME="$W/rpmhome" rpm --root "$W/hostroot" -q bash-5.1.8-9.el9
rm -rf "$W"/hostroot/var/cache/* "$W"/hostroot/var/log/dnf* "$W"/hostroot/var/log/hawkey.log
T tar --numeric-owner -C "$W/hostroot" -cf "$W/hostroot.tar" . && ok "tar"
podman rmi --ignore localhost/almac-e2e:hostroot >/dev/null 2>&1
T podman import -q --change 'CMD ["/bin/bash"]' "$W/hostroot.tar" localhost/almac-e2e:hostroot >/dev/null && ok "podman import"
check "host route image runs" sh -c "podman run --rm localhost/almac-e2e:hostroot cat /etc/almalinux-release | grep -q 'AlmaLinux release 9.8'"
echo "== updates repo: bash upgrade"
T env HOME="$W/rpmhome" dnf -y -q --installroot "$W/hostroot" --releasever 9 \
     --repofrompath=fixture,"file://$W/repo" --repofrompath=updates,"file://$W/repo-updates" \
     --repo fixture --repo updates --setopt=fixture.gpgcheck=0 --setopt=updates.gpgcheck=0 upgrade bash >/dev/null 2>&1 \
  && ok "dnf upgrade bash" || ko "dnf upgrade bash"
check "bash is 5.1.8-10.el9 after upgrade" env HOME="$W/rpmhome" rpm --root "$W/hostroot" -q bash-5.1.8-10.el9

echo "== leaks"
check "no working containers left" test -z "$(buildah containers -q)"
check "no podman containers left" test -z "$(podman ps -aq)"
check "no dangling images" test -z "$(podman images -q -f dangling=true)"
check "no runc state under TMPDIR" sh -c "! runc list 2>/dev/null | grep -q '$TMPDIR'"

if [ -z "${KEEP:-}" ]; then podman system reset -f >/dev/null 2>&1; rm -rf "$W/engine"; fi
echo "e2e-smoke: $pass passed, $fail failed"
[ $fail -eq 0 ]
