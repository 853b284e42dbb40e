#!/bin/bash
# Build an offline fixture RPM repository for one release and one architecture: small packages named
# like the AlmaLinux ones, with real dependencies between them, a static busybox as /bin/sh, stub
# systemctl etc. Every package any definition installs, reinstalls or removes for that release is
# covered (test/fixtures/coverage.test.ts checks it against `almac print --json`), so the generated
# Containerfiles and kickstarts build unchanged against it.
#
# Usage: scripts/make-fixture-repo.sh OUTDIR [--release R] [--arch A] [--with-updates | --updates UPDDIR] [--force]
#   OUTDIR          repository to (re)create (RPMs + repodata/)
#   --release R     8, 9 (default), 10 or 10-kitten: the dist tag and the release package's strings
#                   (test/fixtures/rpm/releases/R.inc)
#   --arch A        x86_64 (default), aarch64, i686, ppc64le or s390x. For an architecture other than
#                   the host's, Debian's busybox-static of that architecture is fetched with apt-get
#                   download into $ALMAC_CACHE/busybox-static/DEBARCH/ (private apt lists; neither the
#                   host's dpkg architectures nor its apt state are changed), e.g.
#                     scripts/make-fixture-repo.sh /tmp/repo-9-aarch64 --release 9 --arch aarch64
#   --with-updates  also build the second versions listed in test/fixtures/rpm/updates.txt into the
#                   repository OUTDIR-updates (e.g. bash 5.1.8-10.el9 next to 5.1.8-9.el9)
#   --updates DIR   the same, into DIR
#   --force         rebuild even when OUTDIR is up to date (a stamp file records the inputs' hash)
# Env: BUSYBOX (default: /bin/busybox for the host's architecture, else the fetched one; must be static)
#      ALMAC_CACHE (default $HOME/.cache/almac)
#      SOURCE_DATE_EPOCH (default 1735689600): RPM build times / file mtimes, so repeated runs produce
#      byte-identical RPMs and repodata (stable checksums for lock tests).
#      JOBS (default: nproc) parallel rpmbuild processes.
# Needs: rpmbuild (rpm), createrepo_c (createrepo-c), busybox-static.  See scripts/setup-engine.sh.
set -euo pipefail

die() { echo "make-fixture-repo: $*" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIX=$(cd "$HERE/../test/fixtures/rpm" && pwd)

OUT= UPD= FORCE= RELEASE=9 ARCH=x86_64
while [ $# -gt 0 ]; do
  case "$1" in
    --release) [ $# -ge 2 ] || die "--release needs a value"; RELEASE=$2; shift ;;
    --release=*) RELEASE=${1#--release=} ;;
    --arch) [ $# -ge 2 ] || die "--arch needs a value"; ARCH=$2; shift ;;
    --arch=*) ARCH=${1#--arch=} ;;
    --with-updates) UPD=@default ;;
    --updates) [ $# -ge 2 ] || die "--updates needs a directory"; UPD=$2; shift ;;
    --updates=*) UPD=${1#--updates=} ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$OUT" ] || die "only one OUTDIR"; OUT=$1 ;;
  esac
  shift
done
[ -n "$OUT" ] || die "usage: make-fixture-repo.sh OUTDIR [--release R] [--arch A] [--with-updates | --updates UPDDIR] [--force]"
[ -f "$FIX/releases/$RELEASE.inc" ] || die "unknown release '$RELEASE' (known: $(cd "$FIX/releases" && ls *.inc | sed 's/\.inc$//' | tr '\n' ' '))"
# architecture -> Debian architecture, ELF machine number, library directory, soname suffix, dynamic loader
case "$ARCH" in
  x86_64)  DEBARCH=amd64   ELFMACH=62 LIBDIR=/usr/lib64 SO64='()(64bit)' LDSO=ld-linux-x86-64.so.2 ;;
  aarch64) DEBARCH=arm64   ELFMACH=183 LIBDIR=/usr/lib64 SO64='()(64bit)' LDSO=ld-linux-aarch64.so.1 ;;
  i686)    DEBARCH=i386    ELFMACH=3  LIBDIR=/usr/lib   SO64=''          LDSO=ld-linux.so.2 ;;
  ppc64le) DEBARCH=ppc64el ELFMACH=21 LIBDIR=/usr/lib64 SO64='()(64bit)' LDSO=ld64.so.2 ;;
  s390x)   DEBARCH=s390x   ELFMACH=22 LIBDIR=/usr/lib64 SO64='()(64bit)' LDSO=ld64.so.1 ;;
  *) die "unknown architecture '$ARCH' (x86_64, aarch64, i686, ppc64le, s390x)" ;;
esac
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
[ "$UPD" = @default ] && UPD="$OUT-updates"
if [ -n "$UPD" ]; then mkdir -p "$UPD"; UPD=$(cd "$UPD" && pwd); fi

for c in rpmbuild createrepo_c; do command -v $c >/dev/null || die "'$c' not found (run scripts/setup-engine.sh)"; done
CACHE=${ALMAC_CACHE:-$HOME/.cache/almac}

# fetch_busybox DEBARCH: Debian's busybox-static of that architecture, unpacked into the cache. apt runs
# with its own lists and cache directories and the extra architecture given on its command line, so the
# host's dpkg architectures and apt state stay as they are. Sources: the machine's own apt configuration.
fetch_busybox() {
  local debarch=$1 dest="$CACHE/busybox-static/$1"
  [ -x "$dest/busybox" ] && { echo "$dest/busybox"; return; }
  local w; w=$(mktemp -d "${TMPDIR:-/tmp}/almac-busybox.XXXXXX")
  mkdir -p "$w/lists/partial" "$w/cache/archives/partial" "$dest"
  local apt=(apt-get -qq -o Dir::State::Lists="$w/lists" -o Dir::Cache="$w/cache" -o APT::Sandbox::User=root
             -o APT::Architectures::="$(dpkg --print-architecture)" -o APT::Architectures::="$debarch")
  echo "make-fixture-repo: fetching Debian's busybox-static:$debarch" >&2
  if ! "${apt[@]}" update >&2 || ! (cd "$w" && "${apt[@]}" download "busybox-static:$debarch" >&2); then
    rm -rf "$w"; die "could not download busybox-static:$debarch with apt (set BUSYBOX to a static busybox for $ARCH)"
  fi
  dpkg-deb --fsys-tarfile "$w"/busybox-static_*_"$debarch".deb | tar -x -O ./bin/busybox > "$dest/busybox.partial"
  chmod 0755 "$dest/busybox.partial"
  basename "$w"/busybox-static_*_"$debarch".deb > "$dest/SOURCE"
  mv "$dest/busybox.partial" "$dest/busybox"
  rm -rf "$w"
  echo "$dest/busybox"
}
HOSTARCH=$(uname -m)
if [ -z "${BUSYBOX:-}" ]; then
  if [ "$ARCH" = "$HOSTARCH" ]; then BUSYBOX=/bin/busybox; else BUSYBOX=$(fetch_busybox "$DEBARCH"); fi
fi
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"
# an ELF executable for ARCH (e_machine, little endian except s390x), with no program interpreter
[ "$(head -c4 "$BUSYBOX" | od -An -c | tr -d ' ')" = "177ELF" ] || die "$BUSYBOX is not an ELF file"
mach=$(od -An -t u1 -j 18 -N 2 "$BUSYBOX" | awk '{ print ($1 == 0 ? $2 : $1) }')
[ "$mach" = "$ELFMACH" ] || die "$BUSYBOX is not an $ARCH executable (ELF machine $mach, expected $ELFMACH)"
if grep -q -a '/lib[^ ]*/ld-' <(head -c 4096 "$BUSYBOX"); then
  die "$BUSYBOX is dynamically linked; the fixture images need a static one (busybox-static)"
fi
if [ "$ARCH" = "$HOSTARCH" ]; then "$BUSYBOX" sh -c 'exit 0' || die "$BUSYBOX does not run"; fi

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
t0=$(date +%s%N)

# inputs hash -> skip when nothing changed
stamp=$( { cat "${BASH_SOURCE[0]}" "$FIX/common.inc" "$FIX/updates.txt" "$FIX/releases/$RELEASE.inc"; \
           find "$FIX/specs" "$FIX/sources" -type f | LC_ALL=C sort | xargs cat; \
           cat "$BUSYBOX"; echo "$SOURCE_DATE_EPOCH ${UPD:+updates} $RELEASE $ARCH"; } | sha256sum | cut -d' ' -f1)
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
  cat "$FIX/common.inc" "$FIX/releases/$RELEASE.inc" "$s" > "$WORK/SPECS/$(basename "$s")"
done

# build_one TOPDIR SPEC [rpmbuild args...]: one spec, private BUILD dir (parallel-safe), quiet unless it fails
build_one() {
  local top=$1 spec=$2; shift 2
  local name; name=$(basename "$spec" .spec)
  local log="$top/LOGS/$name.log"
  if ! rpmbuild -bb --target "$ARCH" \
      --define "fixture_libdir $LIBDIR" --define "fixture_so64 $SO64" --define "fixture_ldso $LDSO" \
      --define "_topdir $top" --define "_sourcedir $WORK/SOURCES" --define "_specdir $WORK/SPECS" \
      --define "_builddir $top/BUILD/$name" --define "_buildrootdir $top/BUILDROOT" \
      --define "_rpmdir $top/RPMS" --define "_srcrpmdir $top/SRPMS" --define "_buildhost almac-fixture" \
      --define "use_source_date_epoch_as_buildtime 1" --define "clamp_mtime_to_source_date_epoch 1" \
      --define "_binary_payload w2.xzdio" \
      "$@" "$spec" >"$log" 2>&1; then
    echo "make-fixture-repo: rpmbuild failed for $name:" >&2; cat "$log" >&2; return 1
  fi
}
export -f build_one; export WORK ARCH LIBDIR SO64 LDSO
# rpmbuild mkdir()s its standard directories itself and fails on EEXIST races when run in parallel
for t in base upd; do mkdir -p "$WORK/$t"/{LOGS,BUILD,BUILDROOT,SRPMS,RPMS/$ARCH,RPMS/noarch}; done

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
    ls "$UPD/$name"-*-"$rel".el*.rpm >/dev/null 2>&1 || die "$name.spec ignored fixture_release=$rel"
  done < "$FIX/updates.txt"
  mkrepo "$UPD"
fi

echo "$stamp" > "$OUT/.fixture-stamp"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "make-fixture-repo: release $RELEASE $ARCH: $n packages in $OUT${UPD:+, $(ls "$UPD"/*.rpm | wc -l) in $UPD} (${ms} ms)"
