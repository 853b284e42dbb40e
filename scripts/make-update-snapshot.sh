#!/bin/bash
# A later snapshot of the fixture repository: every package of BASE_REPO plus newer builds of a few
# (the same specs from test/fixtures/rpm/specs, one release number up), with an updateinfo.xml
# (createrepo_c + modifyrepo_c) holding a security advisory for each:
#   critical   ALSA-2025:9001  libcurl-minimal 7.76.1-31 -> 7.76.1-32   (every 9/* image but micro)
#   important  ALSA-2025:9002  gdb-gdbserver   10.2-13   -> 10.2-14     (base, init, toolbox only)
#   moderate   ALSA-2025:9003  less            590-5     -> 590-6       (default only)
#
# Usage: scripts/make-update-snapshot.sh BASE_REPO OUTDIR [--advisories critical,important,moderate]
#   BASE_REPO     a repository written by scripts/make-fixture-repo.sh
#   OUTDIR        the snapshot to (re)create
#   --advisories  which updates (and their advisories) the snapshot holds (default: all three)
# Env: SOURCE_DATE_EPOCH (default 1764547200), as in make-fixture-repo.sh. The older packages stay in
# the snapshot, as they do in AlmaLinux's repositories.
# Needs: rpmbuild, createrepo_c, modifyrepo_c (createrepo-c), busybox-static (for the specs' sources).
set -euo pipefail

die() { echo "make-update-snapshot: $*" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIX=$(cd "$HERE/../test/fixtures/rpm" && pwd)

BASE= OUT= WANT=critical,important,moderate
while [ $# -gt 0 ]; do
  case "$1" in
    --advisories) [ $# -ge 2 ] || die "--advisories needs a list"; WANT=$2; shift ;;
    --advisories=*) WANT=${1#--advisories=} ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) if [ -z "$BASE" ]; then BASE=$1; elif [ -z "$OUT" ]; then OUT=$1; else die "unexpected argument $1"; fi ;;
  esac
  shift
done
[ -n "$BASE" ] && [ -n "$OUT" ] || die "usage: make-update-snapshot.sh BASE_REPO OUTDIR [--advisories critical,important,moderate]"
[ -f "$BASE/repodata/repomd.xml" ] || die "$BASE is not a repository (run scripts/make-fixture-repo.sh first)"
for c in rpmbuild createrepo_c modifyrepo_c; do command -v $c >/dev/null || die "'$c' not found (run scripts/setup-engine.sh)"; done
BASE=$(cd "$BASE" && pwd)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764547200}
BUSYBOX=${BUSYBOX:-/bin/busybox}

# advisory table: KIND SPEC NEW-RELEASE ID SEVERITY
ADVISORIES="critical libcurl-minimal 32 ALSA-2025:9001 Critical
important gdb-gdbserver 14 ALSA-2025:9002 Important
moderate less 6 ALSA-2025:9003 Moderate"
IFS=, read -ra wanted <<<"$WANT"
for w in "${wanted[@]}"; do grep -q "^$w " <<<"$ADVISORIES" || die "unknown advisory kind '$w' (critical, important, moderate)"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/almac-snapshot.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"/{SPECS,SOURCES,BUILD,BUILDROOT,RPMS,SRPMS} "$OUT"
OUT=$(cd "$OUT" && pwd)
cp -a "$FIX/sources/." "$WORK/SOURCES/"
[ -x "$BUSYBOX" ] && cp "$BUSYBOX" "$WORK/SOURCES/busybox"

rm -rf "$OUT/repodata"; find "$OUT" -maxdepth 1 -name '*.rpm' -delete
cp -l "$BASE"/*.rpm "$OUT/" 2>/dev/null || cp "$BASE"/*.rpm "$OUT/"

{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<updates>'
} > "$WORK/updateinfo.xml"
issued=$(date -u -d "@$SOURCE_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S')
for w in "${wanted[@]}"; do
  read -r _ spec rel id sev < <(grep "^$w " <<<"$ADVISORIES")
  src="$FIX/specs/$spec.spec"
  [ -f "$src" ] || die "no spec $src"
  grep -q '^Release:' "$src" || die "$spec.spec has no Release: line"
  # the same spec, one release up
  # the release 9 definitions (dist tag, release strings), where the fixture specs keep them per release
  { cat "$FIX/common.inc"; [ ! -f "$FIX/releases/9.inc" ] || cat "$FIX/releases/9.inc"; sed -E "s/^Release:.*/Release: ${rel}%{?dist}/" "$src"; } > "$WORK/SPECS/$spec.spec"
  # the architecture macros make-fixture-repo.sh gives the specs, for x86_64
  rpmbuild -bb --target x86_64 --define "fixture_libdir /usr/lib64" --define "fixture_so64 ()(64bit)" \
    --define "fixture_ldso ld-linux-x86-64.so.2" --define "_topdir $WORK" --define "_sourcedir $WORK/SOURCES" \
    --define "_builddir $WORK/BUILD/$spec" --define "_rpmdir $WORK/RPMS" --define "_buildhost almac-fixture" \
    --define "use_source_date_epoch_as_buildtime 1" --define "clamp_mtime_to_source_date_epoch 1" \
    --define "_binary_payload w2.xzdio" "$WORK/SPECS/$spec.spec" > "$WORK/$spec.log" 2>&1 \
    || { cat "$WORK/$spec.log" >&2; die "rpmbuild failed for $spec"; }
  rpm=$(find "$WORK/RPMS" -name "$spec-[0-9]*-$rel.el9.*.rpm" | head -n1)
  [ -n "$rpm" ] || die "rpmbuild wrote no $spec package with release $rel"
  cp "$rpm" "$OUT/"
  q=$(rpm -qp --qf '%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM}' "$rpm")
  read -r n e v r a s <<<"$q"
  cat >> "$WORK/updateinfo.xml" <<XML
  <update from="fixtures@example.invalid" status="final" type="security" version="2">
    <id>$id</id>
    <title>$sev: $n security update</title>
    <issued date="$issued"/>
    <updated date="$issued"/>
    <rights>Fixture advisory for almac's tests.</rights>
    <release>AlmaLinux 9 (fixture)</release>
    <severity>$sev</severity>
    <summary>$sev security update for $n</summary>
    <description>$n $v-$r fixes a (fictional) $sev vulnerability.</description>
    <references>
      <reference href="https://errata.example.invalid/9/${id/:/-}.html" id="$id" title="$id" type="self"/>
    </references>
    <pkglist>
      <collection short="almalinux-9-fixture">
        <name>AlmaLinux 9 fixture</name>
        <package name="$n" version="$v" release="$r" epoch="$e" arch="$a" src="$s">
          <filename>$n-$v-$r.$a.rpm</filename>
        </package>
      </collection>
    </pkglist>
  </update>
XML
done
echo '</updates>' >> "$WORK/updateinfo.xml"

find "$OUT" -maxdepth 1 -name '*.rpm' -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
createrepo_c --quiet --no-database --revision "$SOURCE_DATE_EPOCH" --set-timestamp-to-revision "$OUT" >/dev/null
modifyrepo_c --mdtype=updateinfo --compress-type=gz "$WORK/updateinfo.xml" "$OUT/repodata" >/dev/null
echo "make-update-snapshot: $OUT: $(ls "$OUT"/*.rpm | wc -l) packages, advisories: $WANT"
