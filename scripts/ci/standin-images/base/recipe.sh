# The Debian 12 root file system every stand-in is built on: `debootstrap --variant=minbase`, then
# `docker import`. Sourced by scripts/ci/standin-images.sh with ROOTFS set to an empty directory.
# Its text (this file) is part of the cache key: change it and the rootfs is made again.
SUITE=bookworm
MIRROR=http://deb.debian.org/debian

make_rootfs() {
  debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR"
  # Same sources as the official debian:bookworm images (the product Dockerfiles apt-get install tini).
  cat >"$ROOTFS/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
SOURCES
  # No daemon starts during a build (as in the official images).
  printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
  chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"
  # Keep images small: no .deb cache, no translations (the official images' apt settings).
  cat >"$ROOTFS/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
APT
  echo 'Acquire::Languages "none";' >"$ROOTFS/etc/apt/apt.conf.d/docker-no-languages"
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/*.log
}
