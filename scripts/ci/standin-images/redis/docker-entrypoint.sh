#!/usr/bin/env bash
# As the official redis image: options or a .conf first run under redis-server; as root it fixes /data's
# ownership and drops to the redis user. The official build turns protected mode off (a container's
# port is reached from outside 127.0.0.1); Debian's binary has it on, so it is turned off here.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec gosu redis "$BASH_SOURCE" "$@"
fi
if [ "$1" = 'redis-server' ]; then
  shift
  if [ -n "${1:-}" ] && [ "${1#-}" = "$1" ]; then conf=$1; shift; set -- redis-server "$conf" --protected-mode no "$@"
  else set -- redis-server --protected-mode no "$@"; fi
fi
umask 0077
exec "$@"
