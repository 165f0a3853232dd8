#!/bin/sh
# Atendo bootstrap: prepares a fresh VPS (Docker Engine, Node.js 20) and starts the Atendo installer.
#   curl -fsSL https://get.atendo.com.br | sudo sh
#   curl -fsSL https://get.atendo.com.br | sudo sh -s -- --domain atendo.example.com --license-key KEY
# Every argument goes to the installer untouched. Supported: Ubuntu 22.04/24.04, Debian 12; x86_64, aarch64.
# Test hooks: ATENDO_OS_RELEASE, ATENDO_UNAME_M, ATENDO_BOOTSTRAP_CHECK_ONLY=1, ATENDO_SKIP_ROOT_CHECK=1.
set -eu

# Pinned at release time: the release script replaces the two @...@ placeholders. Refused while unfilled.
ATENDO_VERSION="${ATENDO_VERSION:-@ATENDO_VERSION@}"
ATENDO_INSTALLER_SHA256="${ATENDO_INSTALLER_SHA256:-@ATENDO_INSTALLER_SHA256@}"
# Node.js runtime for the installer, from https://nodejs.org/dist/v20.20.2/SHASUMS256.txt.
NODE_VERSION=20.20.2
NODE_SHA256_X64=df770b2a6f130ed8627c9782c988fda9669fa23898329a61a871e32f965e007d
NODE_SHA256_ARM64=73093db209e4e9e09dd7d15a47aeaab1b74833830df03efa5f942a1122c5fa71

RELEASES_URL="${ATENDO_RELEASES_URL:-https://releases.atendo.com.br}"
OS_RELEASE="${ATENDO_OS_RELEASE:-/etc/os-release}"
NODE_DIR=/opt/atendo/runtime/node
PREREQS="ca-certificates curl tar xz-utils"
DOCKER_PKGS="docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin"
SUPPORTED="Ubuntu 22.04, Ubuntu 24.04 or Debian 12"

say() { printf '==> %s\n' "$*"; }
die() { printf 'atendo-bootstrap: error: %s\n' "$*" >&2; exit 1; }
fetch() { curl -fsSL --proto '=https' --tlsv1.2 --retry 3 --connect-timeout 10 -o "$2" "$1"; }
osr() { sed -n "s/^$1=//p" "$OS_RELEASE" | tr -d "\"'" | head -n 1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
node_ok() { v=$("$1" --version 2>/dev/null) || return 1; v=${v#v}; [ "${v%%.*}" -ge 20 ] 2>/dev/null; }
has_docker() { command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; }
missing_prereqs() { for p in $PREREQS; do installed "$p" || printf '%s ' "$p"; done; }

pinned() { # NAME VALUE: a real SHA-256, not a placeholder
  case "$2" in *[!0-9a-f]*) ok=no ;; *) [ ${#2} -eq 64 ] && ok=yes || ok=no ;; esac
  [ "$ok" = yes ] || die "$1 is not pinned ('$2'): this copy was not produced by the release process; download the script again from https://get.atendo.com.br"
}

verify() { # FILE SHA256 WHAT
  got=$(sha256sum "$1" | cut -d ' ' -f 1)
  [ "$got" = "$2" ] || die "checksum mismatch for $3 (expected $2, got $got): the download is corrupt or was tampered with; run the command again, and contact Atendo support if it persists"
}

check_system() {
  [ -r "$OS_RELEASE" ] || die "cannot read $OS_RELEASE; Atendo supports $SUPPORTED"
  os_id=$(osr ID); os_ver=$(osr VERSION_ID); os_name=$(osr PRETTY_NAME)
  case "$os_id $os_ver" in
    "ubuntu 22.04") codename=jammy ;;
    "ubuntu 24.04") codename=noble ;;
    "debian 12") codename=bookworm ;;
    *) die "unsupported system: ${os_name:-$os_id $os_ver}. Atendo supports $SUPPORTED; reinstall the VPS with one of them" ;;
  esac
  arch=${ATENDO_UNAME_M:-$(uname -m)}
  case "$arch" in
    x86_64 | amd64) node_arch=x64; node_sha=$NODE_SHA256_X64 ;;
    aarch64 | arm64) node_arch=arm64; node_sha=$NODE_SHA256_ARM64 ;;
    *) die "unsupported CPU architecture: $arch. Atendo supports x86_64 (amd64) and aarch64 (arm64)" ;;
  esac
  say "System: ${os_name:-$os_id $os_ver}, $arch"
}

install_prereqs() {
  say "Installing prerequisites: $1"
  apt-get update -q </dev/null
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt-get install -y -q --no-install-recommends $1 </dev/null
}

install_docker() {
  if command -v docker >/dev/null 2>&1 && ! installed docker-ce; then
    die "Docker is installed but without the compose plugin (docker compose); remove the distribution's docker packages (apt-get remove docker.io docker-compose) or install docker-compose-plugin, then run this command again"
  fi
  say "Installing Docker Engine with the compose plugin (download.docker.com)"
  install -m 0755 -d /etc/apt/keyrings
  fetch "https://download.docker.com/linux/$os_id/gpg" /etc/apt/keyrings/docker.asc
  chmod a+r /etc/apt/keyrings/docker.asc
  echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/$os_id $codename stable" >/etc/apt/sources.list.d/docker.list
  apt-get update -q </dev/null
  # shellcheck disable=SC2086
  apt-get install -y -q $DOCKER_PKGS </dev/null
  say "Enabling and starting the Docker service"
  systemctl enable --now docker
  has_docker || die "Docker was installed but 'docker compose version' fails; see 'systemctl status docker'"
}

install_node() {
  name="node-v$NODE_VERSION-linux-$node_arch"
  say "Installing Node.js $NODE_VERSION ($node_arch) in $NODE_DIR"
  fetch "https://nodejs.org/dist/v$NODE_VERSION/$name.tar.xz" "$tmp/node.tar.xz" ||
    die "could not download Node.js from nodejs.org; check the VPS's internet access and DNS"
  verify "$tmp/node.tar.xz" "$node_sha" "$name.tar.xz"
  rm -rf "$NODE_DIR.new" && mkdir -p "$NODE_DIR.new"
  tar -xJf "$tmp/node.tar.xz" -C "$NODE_DIR.new" --strip-components=1 --no-same-owner
  rm -rf "$NODE_DIR" && mv "$NODE_DIR.new" "$NODE_DIR"
}

install_bundle() { # DIR
  if [ "$(cat "$1/.sha256" 2>/dev/null || true)" = "$ATENDO_INSTALLER_SHA256" ]; then
    say "Atendo installer $ATENDO_VERSION already present in $1"; return 0
  fi
  say "Downloading the Atendo installer $ATENDO_VERSION"
  fetch "$RELEASES_URL/installer/$ATENDO_VERSION/atendo-installer.tar.gz" "$tmp/installer.tar.gz" ||
    die "could not download the installer from $RELEASES_URL; check the VPS's internet access and DNS"
  verify "$tmp/installer.tar.gz" "$ATENDO_INSTALLER_SHA256" "atendo-installer.tar.gz $ATENDO_VERSION"
  rm -rf "$1.new" && mkdir -p "$1.new"
  tar -xzf "$tmp/installer.tar.gz" -C "$1.new" --no-same-owner
  echo "$ATENDO_INSTALLER_SHA256" >"$1.new/.sha256"
  rm -rf "$1" && mv "$1.new" "$1"
}

main() {
  if [ "${ATENDO_BOOTSTRAP_CHECK_ONLY:-0}" != 1 ] && [ "${ATENDO_SKIP_ROOT_CHECK:-0}" != 1 ] && [ "$(id -u)" -ne 0 ]; then
    die "this must run as root; use: curl -fsSL https://get.atendo.com.br | sudo sh"
  fi
  check_system
  prereqs=$(missing_prereqs)
  if [ "${ATENDO_BOOTSTRAP_CHECK_ONLY:-0}" = 1 ]; then
    say "Check only; this system is supported. Would install:"
    [ -z "$prereqs" ] || echo "    apt packages: $prereqs"
    has_docker || echo "    Docker Engine with the compose plugin: $DOCKER_PKGS"
    node_ok node || node_ok "$NODE_DIR/bin/node" || echo "    Node.js $NODE_VERSION (linux-$node_arch) in $NODE_DIR"
    echo "    Atendo installer $ATENDO_VERSION in /opt/atendo/installer/$ATENDO_VERSION, run as atendo-installer"
    return 0
  fi
  case "$ATENDO_VERSION" in '' | *[!0-9A-Za-z.+-]*) die "ATENDO_VERSION is not pinned ('$ATENDO_VERSION'): download the script again from https://get.atendo.com.br" ;; esac
  pinned ATENDO_INSTALLER_SHA256 "$ATENDO_INSTALLER_SHA256"
  pinned NODE_SHA256 "$node_sha"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 1' INT TERM HUP
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a
  [ -z "$prereqs" ] || install_prereqs "$prereqs"
  has_docker || install_docker
  if ! node_ok node; then
    node_ok "$NODE_DIR/bin/node" || install_node
    PATH="$NODE_DIR/bin:$PATH"; export PATH
  fi
  dir="/opt/atendo/installer/$ATENDO_VERSION"
  mkdir -p /opt/atendo/installer
  install_bundle "$dir"
  [ -f "$dir/installer/main.js" ] || die "the installer bundle has no installer/main.js; contact Atendo support"
  rm -rf "$tmp"; trap - EXIT INT TERM HUP
  # `atendo-installer` from now on (status, backup, upgrade…), the name the installer prints in its hints.
  printf '#!/bin/sh\nexport ATENDO_INSTALLER_COMMAND=atendo-installer\nexec "%s" "%s/installer/main.js" "$@"\n' "$(command -v node)" "$dir" >/usr/local/bin/atendo-installer
  chmod 755 /usr/local/bin/atendo-installer; ATENDO_INSTALLER_COMMAND=atendo-installer; export ATENDO_INSTALLER_COMMAND
  say "Starting the Atendo installer $ATENDO_VERSION"
  exec node "$dir/installer/main.js" "$@"
}

main "$@"
