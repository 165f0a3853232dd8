#!/usr/bin/env bash
# Makes a Docker engine and the compose v2 plugin available for the Docker end-to-end (issue #14 §1).
#
# Test infrastructure only. Where Docker already answers it does nothing. Where it is missing and this
# runs as root on Debian/Ubuntu it installs Debian 12's engine (`docker.io`), starts `dockerd` in the
# background and waits for `docker info`; the compose v2 plugin comes from Debian 13's `docker-compose`
# package (a static binary), downloaded through a temporary sources list for trixie (the system's apt
# sources are never changed), unpacked with `dpkg-deb -x` and installed as Docker's CLI plugin.
#
# Exit codes: 0 = engine and compose answer; 3 = Docker cannot be had here (not root, not Debian/Ubuntu,
# the install or the daemon failed): the caller skips, visibly; anything else = a bug in this script.
set -uo pipefail

SKIP=3
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
DOCKERD_LOG=${ATENDO_CI_DOCKERD_LOG:-/var/log/atendo-ci-dockerd.log}
say() { printf 'docker-engine: %s\n' "$*"; }
skip() { say "SKIP: $*"; exit "$SKIP"; }

is_debian_like() {
  [ -r /etc/os-release ] || return 1
  # shellcheck disable=SC1091
  . /etc/os-release
  case " ${ID:-} ${ID_LIKE:-} " in *" debian "*|*" ubuntu "*) return 0 ;; esac
  return 1
}

engine_answers() { docker info >/dev/null 2>&1; }
compose_answers() { docker compose version >/dev/null 2>&1; }

install_engine() {
  if command -v dockerd >/dev/null 2>&1; then return 0; fi
  say "dockerd missing: apt-get install docker.io (Debian's engine)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null; }; then
    skip "apt-get install docker.io failed"
  fi
  say "installed docker.io $(dpkg-query -W -f '${Version}' docker.io 2>/dev/null)"
}

start_daemon() {
  if engine_answers; then return 0; fi
  if pgrep -x dockerd >/dev/null 2>&1; then
    say "a dockerd is already running but does not answer yet: waiting for it"
  else
    say "starting dockerd in the background (log: $DOCKERD_LOG)"
    # setsid: the daemon outlives this script and the test runner that called it.
    setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do
    if engine_answers; then say "dockerd answers: engine $(docker version --format '{{.Server.Version}}' 2>/dev/null)"; return 0; fi
    sleep 1
  done
  tail -n 20 "$DOCKERD_LOG" 2>/dev/null | sed 's/^/  dockerd: /'
  skip "dockerd did not answer 'docker info' within 60 s"
}

install_compose() {
  if compose_answers; then return 0; fi
  say "compose v2 plugin missing: fetching Debian 13 (trixie)'s docker-compose through a temporary sources list"
  local tmp; tmp=$(mktemp -d /tmp/atendo-ci-compose.XXXXXX)
  # EXIT, not RETURN: skip() exits from inside this function.
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  mkdir -p "$tmp/lists/partial" "$tmp/archives/partial" "$tmp/deb"
  # apt downloads as _apt where that user exists: let it write here.
  chmod 0755 "$tmp"; id _apt >/dev/null 2>&1 && chown -R _apt "$tmp/lists" "$tmp/archives" "$tmp/deb"
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' >"$tmp/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=-" -o "Dir::State::Lists=$tmp/lists"
              -o "Dir::Cache::Archives=$tmp/archives" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Get::List-Cleanup=0")
  if ! apt-get "${opts[@]}" update -qq >/dev/null; then skip "apt-get update for trixie failed"; fi
  if ! (cd "$tmp/deb" && apt-get "${opts[@]}" download -qq docker-compose >/dev/null); then skip "apt-get download docker-compose (trixie) failed"; fi
  local deb; deb=$(ls "$tmp"/deb/docker-compose_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || skip "no docker-compose .deb downloaded"
  dpkg-deb -x "$deb" "$tmp/root"
  local bin="$tmp/root/usr/libexec/docker/cli-plugins/docker-compose"
  [ -x "$bin" ] || skip "no usr/libexec/docker/cli-plugins/docker-compose in $(basename "$deb")"
  install -D -m 0755 "$bin" "$PLUGIN_DIR/docker-compose"
  say "installed $(basename "$deb") as $PLUGIN_DIR/docker-compose"
  compose_answers || skip "docker compose does not answer after installing the plugin"
}

main() {
  if engine_answers && compose_answers; then
    say "already there: engine $(docker version --format '{{.Server.Version}}' 2>/dev/null), compose $(docker compose version --short 2>/dev/null); nothing done"
    exit 0
  fi
  command -v docker >/dev/null 2>&1 || command -v apt-get >/dev/null 2>&1 || skip "no docker client and no apt-get"
  if ! engine_answers; then
    [ "$(id -u)" = 0 ] || skip "Docker does not answer and this is not root: cannot install or start it"
    is_debian_like || skip "Docker does not answer and this is not Debian/Ubuntu: no apt-get docker.io here"
    install_engine
    start_daemon
  fi
  if ! compose_answers; then
    [ "$(id -u)" = 0 ] || skip "docker compose (v2 plugin) is missing and this is not root"
    is_debian_like || skip "docker compose (v2 plugin) is missing and this is not Debian/Ubuntu"
    install_compose
  fi
  say "ready: engine $(docker version --format '{{.Server.Version}}' 2>/dev/null), client $(docker version --format '{{.Client.Version}}' 2>/dev/null), compose $(docker compose version --short 2>/dev/null)"
}

main "$@"
