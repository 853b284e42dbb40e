#!/bin/bash
# Build the offline builder image that stands in for quay.io/almalinuxorg/almalinux:9 (the SYSBASE
# build arg of the generated Containerfiles): Debian bookworm + Debian's dnf/rpm, made with mmdebstrap.
#
# Usage: scripts/make-builder-image.sh [--arch ARCH] [--tag TAG] [--force | --refresh]
#   --arch ARCH  Debian architecture of the builder (default: this machine's, e.g. amd64): arm64, i386,
#                ppc64el, s390x. A foreign one runs its maintainer scripts under qemu-user-static, so
#                its binfmt handler must be on (sudo scripts/setup-binfmt.sh enable DIR); i386 runs
#                natively on amd64. The image is imported and built for that platform (linux/arm64/v8 …)
#   --tag TAG    default localhost/almac-builder:bookworm for this machine's architecture,
#                localhost/almac-builder:bookworm-ARCH for any other
#   --force      re-import the cached tarball and rebuild the thin layer
#   --refresh    also re-run mmdebstrap (new tarball)
# Env:   ALMAC_CACHE   cache dir for the mmdebstrap tarball (default $HOME/.cache/almac)
#        DEBIAN_MIRROR mirror URL (default: the one in this machine's apt sources)
#        CONTAINERS_CONF / CONTAINERS_STORAGE_CONF: use a hermetic store (. scripts/engine-env.sh DIR)
#
# Steps: 1. mmdebstrap tarball (cached; keyed by suite/architecture/variant/package list). Measured
#           once, on 2 busy cores: amd64 ~30 s, i386 ~80 s, arm64 ~9 min (its maintainer scripts
#           run under qemu)
#        2. podman import --arch -> localhost/almac-builder-rootfs:bookworm-ARCH-KEY (skipped when present)
#        3. thin layer (podman build --platform, ~1 s) -> TAG:
#           - /etc/rpm/macros.dbpath "%_dbpath /var/lib/rpm": Debian's rpm otherwise puts the rpmdb in
#             ~/.rpmdb, i.e. /mnt/sys-root/root/.rpmdb for --installroot installs
#           - /bin/sh -> bash: RUN lines are written for EL's bash /bin/sh (e.g. the 9/micro
#             Containerfile's `install -m644 /usr/share/rootfiles/{.bash_logout,...}` brace expansion)
#           - /usr/share/rootfiles/* and /usr/lib/tmpfiles.d/rootfiles.conf: the real base image has
#             rootfiles installed; 9/micro copies the dotfiles, and systemd 252's
#             `systemd-tmpfiles --root=/mnt/sys-root --create /usr/lib/tmpfiles.d/rootfiles.conf` reads
#             that *config path* from the builder (not from --root) while creating the copies under --root
#           - /var/lib/rpm: an rpm database whose one entry (test/fixtures/rpm/builder/*.spec, rpm --justdb)
#             says that dnf-command(config-manager) is installed, as it is on the real builder (the
#             toolbox step runs `dnf config-manager` only for crb/powertools repositories, which the
#             fixture repositories do not have)
#           - NO repo files: /etc/yum.repos.d is empty. Repositories are added in a derived layer by the
#             runner (`almac build --repo NAME=URL`) or by the tests (fixture repo).
#           The layer is COPY-only (no RUN), so it builds whatever the runtime configuration.
#           The result is labelled with a hash of its inputs; an up-to-date image is not rebuilt.
# The builder provides: dnf, rpm, groupadd -R, useradd -R, systemd-tmpfiles --root, install, sed, ln,
# date, bash. scripts/e2e-smoke.sh checks each of them against a root path.
set -euo pipefail
die() { echo "make-builder-image: $*" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

TAG= ARCH= FORCE= REFRESH=
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH=$2; shift ;;
    --arch=*) ARCH=${1#--arch=} ;;
    --tag) TAG=$2; shift ;;
    --tag=*) TAG=${1#--tag=} ;;
    --force) FORCE=1 ;;
    --refresh) FORCE=1 REFRESH=1 ;;
    -h|--help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
  shift
done

SUITE=bookworm
VARIANT=essential
HOST_ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
ARCH=${ARCH:-$HOST_ARCH}
# the OCI platform of a Debian architecture (podman import/build take os/arch/variant)
case "$ARCH" in
  amd64) OCI_ARCH=amd64 OCI_VARIANT= ;;
  arm64) OCI_ARCH=arm64 OCI_VARIANT=v8 ;;
  i386) OCI_ARCH=386 OCI_VARIANT= ;;
  ppc64el) OCI_ARCH=ppc64le OCI_VARIANT= ;;
  s390x) OCI_ARCH=s390x OCI_VARIANT= ;;
  *) die "unsupported --arch $ARCH (amd64, arm64, i386, ppc64el, s390x: Debian's names)" ;;
esac
PLATFORM=linux/$OCI_ARCH${OCI_VARIANT:+/$OCI_VARIANT}
if [ -z "$TAG" ]; then
  if [ "$ARCH" = "$HOST_ARCH" ]; then TAG=localhost/almac-builder:$SUITE; else TAG=localhost/almac-builder:$SUITE-$ARCH; fi
fi
# dnf: the package manager; rpm: the rpm CLI (librpm comes with dnf); passwd: groupadd/useradd (-R); systemd-standalone-tmpfiles: systemd-tmpfiles
# without systemd; bash/coreutils/sed (install, ln, date) are Essential anyway.
INCLUDE=dnf,rpm,passwd,systemd-standalone-tmpfiles
DPKGOPTS=(--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
          --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*'
          --dpkgopt='path-exclude=/usr/share/info/*')
CACHE=${ALMAC_CACHE:-$HOME/.cache/almac}
if [ -z "${DEBIAN_MIRROR:-}" ]; then
  DEBIAN_MIRROR=$(sed -n 's/^URIs: *\([^ ]*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  [ -n "$DEBIAN_MIRROR" ] || DEBIAN_MIRROR=$(sed -n 's/^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*\/debian\)\/* .*/\2/p' \
                                           /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
  [ -n "$DEBIAN_MIRROR" ] || die "cannot find the Debian mirror in the apt sources; set DEBIAN_MIRROR"
fi
for c in podman mmdebstrap; do command -v $c >/dev/null || die "'$c' not found (run scripts/setup-engine.sh)"; done
# Can this machine run the architecture's programs (natively, or through a binfmt handler)?
can_run() {
  case "$HOST_ARCH:$ARCH" in "$ARCH:$ARCH"|amd64:i386) return 0 ;; esac
  local q; case "$ARCH" in arm64) q=aarch64 ;; ppc64el) q=ppc64le ;; *) q=$ARCH ;; esac
  [ -f "/proc/sys/fs/binfmt_misc/qemu-$q" ] && grep -qx enabled "/proc/sys/fs/binfmt_misc/qemu-$q"
}

T() { local s; s=$(date +%s%N); "$@"; local rc=$?; echo "make-builder-image:   $(( ($(date +%s%N) - s) / 1000000 )) ms: ${*:1:2}" >&2; return $rc; }

key=$(printf '%s\n' "$SUITE" "$ARCH" "$VARIANT" "$INCLUDE" "${DPKGOPTS[@]}" | sha256sum | cut -c1-12)
TAR="$CACHE/builder-$SUITE-$ARCH-$key.tar"
BASE_TAG="localhost/almac-builder-rootfs:$SUITE-$ARCH-$key"

# thin-layer context (also hashed: an up-to-date TAG is left alone). COPY only, no RUN: the layer builds
# with any runtime/isolation settings (and on hosts where the default OCI runtime does not work).
CTX=$(mktemp -d "${TMPDIR:-/tmp}/almac-builder-ctx.XXXXXX")
trap 'rm -rf "$CTX"' EXIT
L=$CTX/layer
mkdir -p "$L/etc/rpm" "$L/etc/yum.repos.d" "$L/usr/bin" "$L/usr/share/rootfiles" "$L/usr/lib/tmpfiles.d"
echo '%_dbpath /var/lib/rpm' > "$L/etc/rpm/macros.dbpath"

ln -s bash "$L/usr/bin/sh"
for f in .bash_logout .bash_profile .bashrc .cshrc .tcshrc; do
  install -m 0644 "$ROOT/test/fixtures/rpm/sources/rootfiles/$f" "$L/usr/share/rootfiles/$f"
done
install -m 0644 "$ROOT/test/fixtures/rpm/sources/rootfiles/rootfiles.conf" "$L/usr/lib/tmpfiles.d/rootfiles.conf"
find "$L" -exec touch -h -d @1735689600 {} +   # fixed mtimes: same inputs, same layer
cat > "$CTX/Containerfile" <<EOC
# almac offline builder: stand-in for quay.io/almalinuxorg/almalinux:9 (Debian $SUITE $ARCH + dnf)
FROM $BASE_TAG
COPY layer/ /
LABEL org.almac.builder=offline-fixture
CMD ["/bin/bash"]
EOC
inputs=$( { cat "$CTX/Containerfile" "$ROOT"/test/fixtures/rpm/builder/*.spec; cd "$L" && find . -printf '%p %l\n' | LC_ALL=C sort && find . -type f | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)
echo "LABEL org.almac.builder.inputs=$inputs" >> "$CTX/Containerfile"

if [ -z "$FORCE" ] && podman image exists "$TAG" && \
   [ "$(podman image inspect --format '{{ index .Labels "org.almac.builder.inputs" }}/{{.Architecture}}' "$TAG" 2>/dev/null)" = "$inputs/$OCI_ARCH" ]; then
  echo "make-builder-image: $TAG is up to date"
  exit 0
fi

# rpm database of the builder: entries for the Debian packages that stand in for AlmaLinux ones
command -v rpmbuild >/dev/null || die "'rpmbuild' not found (run scripts/setup-engine.sh)"
for spec in "$ROOT"/test/fixtures/rpm/builder/*.spec; do
  rpmbuild -bb --quiet --define "_topdir $CTX/rpmbuild" --define "_rpmdir $CTX/rpms" --define "_build_id_links none" "$spec" >/dev/null \
    || die "rpmbuild $spec failed"
done
mkdir -p "$L/var/lib/rpm"
rpm --root "$L" --dbpath /var/lib/rpm --justdb --nodeps --noscripts --notriggers -i "$CTX"/rpms/noarch/*.rpm \
  || die "cannot register the builder's rpm database entries"

# 1. tarball
if [ -n "$REFRESH" ] || [ ! -s "$TAR" ]; then
  mkdir -p "$CACHE"
  can_run || die "$ARCH programs cannot run here: enable its qemu-user-static handler first (sudo scripts/setup-binfmt.sh enable DIR; later … disable DIR)"
  echo "make-builder-image: mmdebstrap $SUITE $ARCH ($VARIANT, +$INCLUDE) from $DEBIAN_MIRROR -> $TAR"
  T mmdebstrap --quiet --mode=root --format=tar --architectures="$ARCH" --variant="$VARIANT" --include="$INCLUDE" "${DPKGOPTS[@]}" \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    "$SUITE" "$TAR.partial" "$DEBIAN_MIRROR"
  mv "$TAR.partial" "$TAR"
  # drop this architecture's tarballs of older package lists (and those named before the architecture was)
  find "$CACHE" -maxdepth 1 \( -name "builder-$SUITE-$ARCH-*.tar*" -o -regex ".*/builder-$SUITE-[0-9a-f]\{12\}\.tar.*" \) \
    ! -name "$(basename "$TAR")" -print -delete | sed 's/^/make-builder-image: removed stale /'
else
  echo "make-builder-image: using cached $TAR"
fi

# 2. import
oldbase=$(podman image inspect --format '{{.Id}}' "$BASE_TAG" 2>/dev/null || true)
if [ -n "$FORCE" ] || [ -z "$oldbase" ]; then
  T podman import -q --os linux --arch "$OCI_ARCH" ${OCI_VARIANT:+--variant "$OCI_VARIANT"} "$TAR" "$BASE_TAG" >/dev/null
fi

# 3. thin layer (then drop what it replaces: the previous TAG image and older rootfs imports)
old=$(podman image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)
T podman build -q --pull=never --layers=false --network none --platform "$PLATFORM" -t "$TAG" "$CTX" >/dev/null
new=$(podman image inspect --format '{{.Id}}' "$TAG")
if [ -n "$old" ] && [ "$old" != "$new" ]; then podman rmi "$old" >/dev/null 2>&1 || true; fi
newbase=$(podman image inspect --format '{{.Id}}' "$BASE_TAG")
if [ -n "$oldbase" ] && [ "$oldbase" != "$newbase" ]; then podman rmi "$oldbase" >/dev/null 2>&1 || true; fi
podman images --format '{{.Repository}}:{{.Tag}}' | grep -E "^localhost/almac-builder-rootfs:$SUITE-($ARCH-[0-9a-f]{12}|[0-9a-f]{12})\$" | grep -vx "$BASE_TAG" \
  | xargs -r podman rmi >/dev/null 2>&1 || true
echo "make-builder-image: $TAG ready ($PLATFORM, $(podman image inspect --format '{{.Size}}' "$TAG") bytes)"
