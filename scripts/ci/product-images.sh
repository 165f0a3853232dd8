#!/usr/bin/env bash
# Builds the product's images from this checkout with the real compose/appliance.Dockerfile and
# compose/license-service.Dockerfile, unchanged, on whatever base images the engine has (here: the
# stand-ins from standin-images.sh). Test infrastructure only.
#
# The engine here is Debian 12's (20.10) with no buildx plugin, so this uses the legacy builder. That
# builder reads only a `.dockerignore` at the context's root, not BuildKit's `<Dockerfile>.dockerignore`,
# so each build gets a staged copy of the working tree with its Dockerfile's ignore file as .dockerignore:
# the context is then exactly what BuildKit would send. (The Dockerfiles' `# syntax=docker/dockerfile:1`
# line would make BuildKit pull its frontend image, which no registry here serves; the legacy builder
# reads it as a comment.)
#
# ATENDO_CI_VENDOR_KEYS_DIR=<dir of *.public.pem>: the appliance is built trusting those lease keys, as a
# release build trusts the vendor's (the staged copy's server/src/license/vendorKeys.ts gets them; the
# checkout is not touched). The repository's list is empty, and an appliance with no key refuses to start.
# Such an image is a test build: it carries the label atendo.ci.test-vendor-keys=<hash of the keys>.
#
# Usage: product-images.sh [appliance|license-service]...   Tags: $ATENDO_CI_IMAGE_PREFIX/<name>:<version>
# (default atendo-ci/…, version from package.json). Exit 3 = no engine (skip); 1 = a build failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=${ATENDO_CI_IMAGE_PREFIX:-atendo-ci}
VERSION=${ATENDO_CI_IMAGE_VERSION:-$(node -p "require('$ROOT/package.json').version")}
LOGDIR=${ATENDO_CI_CACHE:-/var/cache/atendo-ci}
export DOCKER_BUILDKIT=0
say() { printf 'product-images: %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

docker info >/dev/null 2>&1 || { say "SKIP: no Docker engine answers (run scripts/ci/docker-engine.sh)"; exit 3; }
mkdir -p "$LOGDIR"

build() {
  local name=$1 dockerfile=compose/$1.Dockerfile t0 ctx tag=$PREFIX/$1:$VERSION
  t0=$(now)
  [ -f "$ROOT/$dockerfile" ] && [ -f "$ROOT/$dockerfile.dockerignore" ] || { say "no $dockerfile(.dockerignore)"; exit 1; }
  ctx=$(mktemp -d /tmp/atendo-ci-context-"$name".XXXXXX)
  # The working tree as it is (committed or not), without what no build context ever carries.
  tar -C "$ROOT" --exclude=./.git --exclude=./node_modules --exclude='./*/node_modules' --exclude=./.data \
      --exclude=./test-artifacts --exclude=./dist -cf - . | tar -C "$ctx" -xf -
  cp "$ROOT/$dockerfile.dockerignore" "$ctx/.dockerignore"
  local labels=(--label "atendo.ci.built-from=$dockerfile")
  if [ "$name" = appliance ] && [ -n "${ATENDO_CI_VENDOR_KEYS_DIR:-}" ]; then
    local khash
    khash=$(node "$(dirname "$0")/test-vendor-keys.mjs" "$ATENDO_CI_VENDOR_KEYS_DIR" "$ctx/server/src/license/vendorKeys.ts") \
      || { rm -rf "$ctx"; say "could not put the test vendor keys into the staged vendorKeys.ts"; exit 1; }
    labels+=(--label "atendo.ci.test-vendor-keys=$khash")
    say "appliance trusts the test lease keys in $ATENDO_CI_VENDOR_KEYS_DIR ($khash)"
  fi
  say "building $tag from $dockerfile (log: $LOGDIR/build-$name.log)"
  if ! docker build -f "$ctx/$dockerfile" -t "$tag" "${labels[@]}" "$ctx" >"$LOGDIR/build-$name.log" 2>&1; then
    tail -n 40 "$LOGDIR/build-$name.log"; rm -rf "$ctx"; say "$tag: build FAILED"; exit 1
  fi
  rm -rf "$ctx"
  say "$tag: built in $(since "$t0") s"
}

names=("$@"); [ ${#names[@]} -gt 0 ] || names=(appliance license-service)
for n in "${names[@]}"; do build "$n"; done
