#!/usr/bin/env bash
# Makes sure MariaDB (127.0.0.1:3306, root without password) and Redis
# (127.0.0.1:6379) answer, installing and starting them from Debian's
# packages when they do not. Fails loudly when they cannot be reached.
set -euo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # port name
  for _ in $(seq 1 60); do
    answers "$1" && return 0
    sleep 1
  done
  echo "ensure-services: $2 does not answer on 127.0.0.1:$1" >&2
  return 1
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-services: need root to install $*" >&2
    return 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! answers 3306; then
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server
  echo "ensure-services: starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql || true
  wait_for 3306 MariaDB
fi
# The tests create one database per test as root over TCP.
if command -v mariadb >/dev/null; then
  mariadb -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1 || {
    echo "ensure-services: MariaDB answers but root@127.0.0.1 without a password is refused" >&2
    exit 1
  }
  # Tests that race many candidates or run two nodes open dozens of
  # connections each, and go test runs packages side by side: the default
  # 151 is too few for the suite (runtime only; production sizes its own).
  mariadb -h127.0.0.1 -uroot -e 'SET GLOBAL max_connections = GREATEST(@@max_connections, 1000)' || true
fi

if ! answers 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  echo "ensure-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for 6379 Redis
fi
echo "ensure-services: MariaDB and Redis answer"
