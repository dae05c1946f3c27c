#!/usr/bin/env bash
# Lints systemd/roadside-agent@.service with `systemd-analyze verify` and FAILS on any output:
# systemd-analyze exits 0 on unknown keys and unparsable values, printing a warning only.
#
# The check runs against a throw-away root (--root) so it is meaningful on a CI machine where
# the agent is not installed: the unit goes to <root>/etc/systemd/system unchanged, the
# system's own units are copied beside it (so sysinit.target & co. resolve), and an
# executable stub stands at the ExecStart path the unit names (the path is read from the
# unit, so a wrong or relative ExecStart still fails).
set -euo pipefail
cd "$(dirname "$0")/.."

# ROADSIDE_UNIT_FILE lets the test suite check that a broken unit is caught.
unit_src=${ROADSIDE_UNIT_FILE:-systemd/roadside-agent@.service}
instance=${1:-ci-camera}

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "verify-unit: systemd-analyze not found (Debian package: systemd)" >&2
  exit 2
fi
system_units=""
for dir in /usr/lib/systemd/system /lib/systemd/system; do
  if [ -d "$dir" ]; then system_units=$dir; break; fi
done
if [ -z "$system_units" ]; then
  echo "verify-unit: no system unit directory (/usr/lib/systemd/system) to verify against" >&2
  exit 2
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd"
cp -a "$system_units" "$root/usr/lib/systemd/system"
cp "$unit_src" "$root/etc/systemd/system/roadside-agent@.service"

exec_path=$(sed -n 's/^ExecStart=[-@:+!]*\([^ ]*\).*/\1/p' "$unit_src" | head -n 1)
case "$exec_path" in
  /*) ;;
  *) echo "verify-unit: ExecStart must name an absolute path, found '$exec_path'" >&2; exit 1 ;;
esac
mkdir -p "$root$(dirname "$exec_path")"
printf '#!/bin/sh\nexit 0\n' >"$root$exec_path"
chmod 0755 "$root$exec_path"

set +e
output=$(systemd-analyze verify --root="$root" "roadside-agent@${instance}.service" 2>&1)
status=$?
set -e
if [ "$status" -ne 0 ] || [ -n "$output" ]; then
  echo "verify-unit: systemd-analyze verify is not clean for $unit_src (exit $status):" >&2
  printf '%s\n' "$output" >&2
  exit 1
fi
echo "verify-unit: $unit_src is clean ($(systemd-analyze --version | head -n 1))"
