#!/usr/bin/env bash
# The integration tests need a MySQL-compatible server on 127.0.0.1:3306 (root, no password,
# database `test`). Use the one that runs; where none does, install and start MariaDB.
set -euo pipefail
port_open() { (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null; }
if port_open; then echo "mariadb: already listening on 127.0.0.1:3306"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends mariadb-server mariadb-client
fi
$SUDO mkdir -p /run/mysqld && $SUDO chown mysql:mysql /run/mysqld 2>/dev/null || true
$SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql --bind-address=127.0.0.1
for _ in $(seq 1 60); do port_open && break; sleep 0.5; done
port_open || { echo "mariadb: did not start" >&2; exit 1; }
$SUDO mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS test" 2>/dev/null || true
# A fresh Debian install authenticates root by unix socket only; the tests connect over TCP.
$SUDO mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')" 2>/dev/null || true
echo "mariadb: started on 127.0.0.1:3306"
