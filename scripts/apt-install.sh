#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet (one apt-get
# update first, only when something is missing). Used by scripts/setup.sh and by the training
# recipes' own set-up scripts. Safe to run again.
#   bash scripts/apt-install.sh WHO PACKAGE...      (WHO names the caller in its message)
set -euo pipefail
who="$1"; shift
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "$who: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
