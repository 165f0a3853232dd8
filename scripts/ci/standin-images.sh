#!/usr/bin/env bash
# Builds the stand-in base images (scripts/ci/standin-images/README.md): a Debian 12 rootfs made with
# debootstrap and `docker import`ed, then one image per recipe, tagged exactly as compose/ and the
# Dockerfiles name them. Test infrastructure only: production pulls the official images.
#
# Cached by recipe: each image carries the label atendo.ci.recipe=<hash of its recipe and inputs>, and a
# tag that already carries its hash is not built again. The rootfs tarball lives in $ATENDO_CI_CACHE
# (default /var/cache/atendo-ci), outside the tree.
#
# Exit codes: 0 = every stand-in is there; 3 = no Docker engine answers (skip, visibly); 1 = failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RECIPES=$HERE/standin-images
CACHE=${ATENDO_CI_CACHE:-/var/cache/atendo-ci}
BASE_TAG=atendo-ci/debian:bookworm
LABEL=atendo.ci.recipe
HOST_CA=${ATENDO_CI_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
NODE_BIN=$(command -v node)
NODE_LIB=$(cd "$(dirname "$(readlink -f "$NODE_BIN")")/../lib/node_modules" && pwd)
export DOCKER_BUILDKIT=0   # the legacy builder: our recipes need no BuildKit, and it needs no buildx plugin
SUMMARY=()

say() { printf 'standin-images: %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

docker info >/dev/null 2>&1 || { say "SKIP: no Docker engine answers (run scripts/ci/docker-engine.sh)"; exit 3; }

# Every image compose/ and the Dockerfiles name (the product's own, ${…}, and build stages aside) must
# have a stand-in, or a pin bumped in compose/ would silently try a pull.
check_coverage() {
  local wanted have missing=()
  wanted=$( { grep -hE '^\s*image:\s*' "$ROOT"/compose/*/compose.yaml | sed -E 's/^\s*image:\s*//; s/\s+#.*$//' ;
              grep -hE '^FROM\s' "$ROOT"/compose/*.Dockerfile | awk '{print $2}' ; } | grep -v '\$' | sort -u)
  have=$(cat "$RECIPES"/*/tags | sort -u)
  for w in $wanted; do grep -qxF "$w" <<<"$have" || missing+=("$w"); done
  if [ ${#missing[@]} -gt 0 ]; then say "no stand-in for: ${missing[*]} (add its tag to a recipe in $RECIPES)"; exit 1; fi
  say "compose/ and the Dockerfiles name: $(echo $wanted); all have a stand-in"
}

label_of() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true; }

# sha256 over the files of a recipe directory (names and contents) and any extra strings.
recipe_hash() {
  local dir=$1; shift
  { (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum); printf '%s\n' "$@"; } | sha256sum | cut -c1-16
}

build_base() {
  local t0 h tarball
  t0=$(now)
  h=$(recipe_hash "$RECIPES/base" "debootstrap $(dpkg-query -W -f '${Version}' debootstrap 2>/dev/null || echo none)")
  BASE_HASH=$h
  if [ "$(label_of "$BASE_TAG")" = "$h" ]; then say "$BASE_TAG: cached ($h)"; SUMMARY+=("base $BASE_TAG: cached"); return; fi
  tarball=$CACHE/rootfs-bookworm-$h.tar
  mkdir -p "$CACHE"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || {
      [ "$(id -u)" = 0 ] || { say "debootstrap is missing and this is not root"; exit 1; }
      say "installing debootstrap (apt-get)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    }
    local ROOTFS=$CACHE/rootfs-build-$h
    rm -rf "$ROOTFS"; mkdir -p "$ROOTFS"
    say "debootstrap --variant=minbase bookworm into $ROOTFS"
    local td; td=$(now)
    # shellcheck disable=SC1091
    ( . "$RECIPES/base/recipe.sh"; ROOTFS=$ROOTFS; make_rootfs ) >"$CACHE/debootstrap-$h.log" 2>&1 \
      || { tail -n 30 "$CACHE/debootstrap-$h.log"; say "debootstrap failed (log: $CACHE/debootstrap-$h.log)"; exit 1; }
    tar --numeric-owner -C "$ROOTFS" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$ROOTFS"
    say "debootstrap: $(since "$td") s"; SUMMARY+=("debootstrap: $(since "$td") s")
  fi
  docker import --change "LABEL $LABEL=$h" --change 'CMD ["bash"]' "$tarball" "$BASE_TAG" >/dev/null
  say "$BASE_TAG: imported in $(since "$t0") s"; SUMMARY+=("base $BASE_TAG: $(since "$t0") s")
}

# Files a recipe takes from this machine, staged into its build context.
stage_inputs() {
  local name=$1 ctx=$2
  cp "$HOST_CA" "$ctx/host-ca-certificates.crt"
  if [ "$name" = node ]; then
    cp "$(readlink -f "$NODE_BIN")" "$ctx/node"
    mkdir -p "$ctx/node_modules"
    cp -a "$NODE_LIB/npm" "$ctx/node_modules/"
    [ -d "$NODE_LIB/corepack" ] && cp -a "$NODE_LIB/corepack" "$ctx/node_modules/"
  fi
  return 0
}

inputs_of() {
  local name=$1
  echo "base $BASE_HASH"
  echo "ca $(sha256sum "$HOST_CA" | cut -c1-64)"
  if [ "$name" = node ]; then
    echo "node $("$NODE_BIN" --version) $(sha256sum "$(readlink -f "$NODE_BIN")" | cut -c1-64)"
    echo "npm $("$NODE_BIN" "$NODE_LIB/npm/bin/npm-cli.js" --version)"
  fi
}

build_standin() {
  local name=$1 dir=$RECIPES/$1 t0 h tags=() t fresh=1 ctx
  t0=$(now)
  mapfile -t tags < <(grep -v '^\s*$' "$dir/tags")
  mapfile -t extra < <(inputs_of "$name")
  h=$(recipe_hash "$dir" "${extra[@]}")
  for t in "${tags[@]}"; do [ "$(label_of "$t")" = "$h" ] || fresh=0; done
  if [ $fresh = 1 ]; then say "${tags[*]}: cached ($h)"; SUMMARY+=("$name ${tags[*]}: cached"); return; fi
  if [ "$name" = node ]; then
    local want; want=${tags[0]#node:}; want=v${want%%-*}
    [ "$("$NODE_BIN" --version)" = "$want" ] || say "WARNING: this machine's node is $("$NODE_BIN" --version), the tag says $want"
  fi
  ctx=$(mktemp -d /tmp/atendo-ci-standin-"$name".XXXXXX)
  cp -a "$dir/." "$ctx/"
  stage_inputs "$name" "$ctx"
  local targs=(); for t in "${tags[@]}"; do targs+=(-t "$t"); done
  say "building ${tags[*]} ($h)"
  if ! docker build -q --build-arg BASE="$BASE_TAG" --build-arg NODE_VERSION="$("$NODE_BIN" --version | tr -d v)" \
        --label "$LABEL=$h" "${targs[@]}" "$ctx" >"$CACHE/build-$name.log" 2>&1; then
    tail -n 30 "$CACHE/build-$name.log"; rm -rf "$ctx"; say "building $name failed (log: $CACHE/build-$name.log)"; exit 1
  fi
  rm -rf "$ctx"
  say "${tags[*]}: built in $(since "$t0") s"; SUMMARY+=("$name ${tags[*]}: $(since "$t0") s")
}

main() {
  local t0; t0=$(now)
  mkdir -p "$CACHE"
  check_coverage
  build_base
  local names=("$@")
  [ ${#names[@]} -gt 0 ] || names=(node postgres redis caddy)
  for n in "${names[@]}"; do build_standin "$n"; done
  # Old builds of a recipe, untagged by the rebuild: only ours carry the label.
  docker image prune -f --filter "label=$LABEL" >/dev/null 2>&1 || true
  say "done in $(since "$t0") s:"
  printf '  %s\n' "${SUMMARY[@]}"
}

main "$@"
