#!/bin/bash
# Build the offline fixture RPM repository: small packages named like the AlmaLinux 9 ones, with real
# dependencies between them, a static busybox as /bin/sh, stub systemctl etc. Every package the 9/*
# image types install is covered, so generated Containerfiles can be built unchanged against it.
#
# Usage: scripts/make-fixture-repo.sh OUTDIR [--with-updates | --updates UPDDIR] [--force]
#   OUTDIR          repository to (re)create (RPMs + repodata/)
#   --with-updates  also build the second versions listed in test/fixtures/rpm/updates.txt into the
#                   repository OUTDIR-updates (e.g. bash 5.1.8-10.el9 next to 5.1.8-9.el9)
#   --updates DIR   the same, into DIR
#   --force         rebuild even when OUTDIR is up to date (a stamp file records the inputs' hash)
# Env: BUSYBOX (default /bin/busybox, must be static: Debian's busybox-static)
#      SOURCE_DATE_EPOCH (default 1735689600): RPM build times / file mtimes, so repeated runs produce
#      byte-identical RPMs and repodata (stable checksums for lock tests).
#      JOBS (default: nproc) parallel rpmbuild processes.
# Needs: rpmbuild (rpm), createrepo_c (createrepo-c), busybox-static.  See scripts/setup-engine.sh.
set -euo pipefail

die() { echo "make-fixture-repo: $*" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIX=$(cd "$HERE/../test/fixtures/rpm" && pwd)

OUT= UPD= FORCE=
while [ $# -gt 0 ]; do
  case "$1" in
    --with-updates) UPD=@default ;;
    --updates) [ $# -ge 2 ] || die "--updates needs a directory"; UPD=$2; shift ;;
    --updates=*) UPD=${1#--updates=} ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$OUT" ] || die "only one OUTDIR"; OUT=$1 ;;
  esac
  shift
done
[ -n "$OUT" ] || die "usage: make-fixture-repo.sh OUTDIR [--with-updates | --updates UPDDIR] [--force]"
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
[ "$UPD" = @default ] && UPD="$OUT-updates"
if [ -n "$UPD" ]; then mkdir -p "$UPD"; UPD=$(cd "$UPD" && pwd); fi

BUSYBOX=${BUSYBOX:-/bin/busybox}
for c in rpmbuild createrepo_c; do command -v $c >/dev/null || die "'$c' not found (run scripts/setup-engine.sh)"; done
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"
"$BUSYBOX" sh -c 'exit 0' || die "$BUSYBOX does not run"
if command -v ldd >/dev/null && ldd "$BUSYBOX" >/dev/null 2>&1; then
  die "$BUSYBOX is dynamically linked; the fixture images need a static one (busybox-static)"
fi

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
t0=$(date +%s%N)

# inputs hash -> skip when nothing changed
stamp=$( { cat "${BASH_SOURCE[0]}" "$FIX/common.inc" "$FIX/updates.txt"; \
           find "$FIX/specs" "$FIX/sources" -type f | LC_ALL=C sort | xargs cat; \
           cat "$BUSYBOX"; echo "$SOURCE_DATE_EPOCH ${UPD:+updates}"; } | sha256sum | cut -d' ' -f1)
if [ -z "$FORCE" ] && [ -f "$OUT/repodata/repomd.xml" ] && [ "$(cat "$OUT/.fixture-stamp" 2>/dev/null)" = "$stamp" ] \
   && { [ -z "$UPD" ] || [ -f "$UPD/repodata/repomd.xml" ]; }; then
  echo "make-fixture-repo: $OUT is up to date ($(ls "$OUT"/*.rpm | wc -l) packages)"
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/almac-rpmbuild.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/SPECS" "$WORK/SOURCES"
cp -a "$FIX/sources/." "$WORK/SOURCES/"
cp "$BUSYBOX" "$WORK/SOURCES/busybox"
for s in "$FIX"/specs/*.spec; do
  cat "$FIX/common.inc" "$s" > "$WORK/SPECS/$(basename "$s")"
done

# build_one TOPDIR SPEC [rpmbuild args...]: one spec, private BUILD dir (parallel-safe), quiet unless it fails
build_one() {
  local top=$1 spec=$2; shift 2
  local name; name=$(basename "$spec" .spec)
  local log="$top/LOGS/$name.log"
  if ! rpmbuild -bb --target x86_64 \
      --define "_topdir $top" --define "_sourcedir $WORK/SOURCES" --define "_specdir $WORK/SPECS" \
      --define "_builddir $top/BUILD/$name" --define "_buildrootdir $top/BUILDROOT" \
      --define "_rpmdir $top/RPMS" --define "_srcrpmdir $top/SRPMS" --define "_buildhost almac-fixture" \
      --define "use_source_date_epoch_as_buildtime 1" --define "clamp_mtime_to_source_date_epoch 1" \
      --define "_binary_payload w2.xzdio" \
      "$@" "$spec" >"$log" 2>&1; then
    echo "make-fixture-repo: rpmbuild failed for $name:" >&2; cat "$log" >&2; return 1
  fi
}
export -f build_one; export WORK
# rpmbuild mkdir()s its standard directories itself and fails on EEXIST races when run in parallel
for t in base upd; do mkdir -p "$WORK/$t"/{LOGS,BUILD,BUILDROOT,SRPMS,RPMS/x86_64,RPMS/noarch}; done

mkrepo() { # DIR: deterministic repodata (mtimes + revision from SOURCE_DATE_EPOCH, no sqlite dbs)
  find "$1" -maxdepth 1 -name '*.rpm' -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  createrepo_c --quiet --no-database --revision "$SOURCE_DATE_EPOCH" --set-timestamp-to-revision "$1" >/dev/null
}

# 1. base repository
ls "$WORK"/SPECS/*.spec | xargs -P "$JOBS" -I{} bash -c 'build_one "$WORK/base" "$1"' _ {}
rm -rf "$OUT/repodata"; find "$OUT" -maxdepth 1 -name '*.rpm' -delete
find "$WORK/base/RPMS" -name '*.rpm' -exec cp {} "$OUT/" \;
mkrepo "$OUT"
n=$(ls "$OUT"/*.rpm | wc -l)

# 2. updates repository (second versions)
if [ -n "$UPD" ]; then
  rm -rf "$UPD/repodata"; find "$UPD" -maxdepth 1 -name '*.rpm' -delete
  while read -r name rel _; do
    case "$name" in ''|'#'*) continue ;; esac
    build_one "$WORK/upd" "$WORK/SPECS/$name.spec" --define "fixture_release $rel"
  done < "$FIX/updates.txt"
  find "$WORK/upd/RPMS" -name '*.rpm' -exec cp {} "$UPD/" \;
  while read -r name rel _; do
    case "$name" in ''|'#'*) continue ;; esac
    ls "$UPD/$name"-*-"$rel".el9.*.rpm >/dev/null 2>&1 || die "$name.spec ignored fixture_release=$rel"
  done < "$FIX/updates.txt"
  mkrepo "$UPD"
fi

echo "$stamp" > "$OUT/.fixture-stamp"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "make-fixture-repo: $n packages in $OUT${UPD:+, $(ls "$UPD"/*.rpm | wc -l) in $UPD} (${ms} ms)"
