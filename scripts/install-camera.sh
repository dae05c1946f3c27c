#!/usr/bin/env bash
# Installs one camera on a roadside box: the unit (once), the logrotate snippet, the system
# user, /etc/roadside-agent/<camera>.json from a template, the MySQL password as a root-only
# credential file, then check-config and `systemctl enable --now roadside-agent@<camera>`.
#
#   sudo scripts/install-camera.sh --url rtsp://user:pass@10.0.0.5/stream2 \
#        --location "Junction 4, northbound" --password-file /root/mysql.pw cam-north-01
#
# Options:
#   --url URL             camera source (default: the template's)
#   --location TEXT       camera_location centrally (default: the template's)
#   --template FILE       config template (default: config.json of this package)
#   --password-file FILE  MySQL password from FILE (default: $ROADSIDE_MYSQL_PASSWORD, else a prompt;
#                         an empty password leaves the credential file empty)
#   --bin PATH            the roadside-agent executable (default: `command -v roadside-agent`);
#                         a drop-in overrides ExecStart when it is not /usr/bin/roadside-agent
#   --no-probes           check-config without probing the camera, models and MySQL
#   --no-start            enable the instance but do not start it now
#   --force               overwrite an existing /etc/roadside-agent/<camera>.json
#   --root DIR            install the files under DIR only (packaging, tests): no user, no
#                         check-config, no systemctl, no chown
set -euo pipefail

pkg_dir=$(cd "$(dirname "$0")/.." && pwd)
url="" location="" template="$pkg_dir/config.json" password_file="" bin="" probes=1 start=1 force=0 root=""
die() { echo "install-camera: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --url) url=${2:?--url needs a value}; shift 2 ;;
    --location) location=${2:?--location needs a value}; shift 2 ;;
    --template) template=${2:?--template needs a file}; shift 2 ;;
    --password-file) password_file=${2:?--password-file needs a file}; shift 2 ;;
    --bin) bin=${2:?--bin needs a path}; shift 2 ;;
    --no-probes) probes=0; shift ;;
    --no-start) start=0; shift ;;
    --force) force=1; shift ;;
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || die "expected one camera id (see --help)"
camera=$1
[[ "$camera" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$ ]] || die "camera id '$camera': letters, digits, '_', '.' and '-' only, at most 64"
[ -f "$template" ] || die "config template $template not found"
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then die "run as root (or with --root DIR)"; fi

etc="$root/etc/roadside-agent"
config="$etc/$camera.json"
cred_dir="$etc/credentials"
cred="$cred_dir/$camera.mysql-password"
unit_dir="$root/etc/systemd/system"

# 1. The system user (fixed, not DynamicUser: see systemd/README.md).
if [ -z "$root" ]; then
  if ! id roadside-agent >/dev/null 2>&1; then
    install -D -m 0644 "$pkg_dir/systemd/sysusers.conf" /usr/lib/sysusers.d/roadside-agent.conf
    if command -v systemd-sysusers >/dev/null 2>&1; then
      systemd-sysusers /usr/lib/sysusers.d/roadside-agent.conf
    else
      useradd --system --home-dir /var/lib/roadside-agent --no-create-home --shell /usr/sbin/nologin roadside-agent
    fi
  fi
  # GPU access (ignored where the groups do not exist).
  for g in video render; do getent group "$g" >/dev/null && usermod -a -G "$g" roadside-agent; done
fi

# 2. Unit, logrotate snippet, ExecStart drop-in when the binary lives elsewhere.
install -D -m 0644 "$pkg_dir/systemd/roadside-agent@.service" "$unit_dir/roadside-agent@.service"
install -D -m 0644 "$pkg_dir/systemd/logrotate" "$root/etc/logrotate.d/roadside-agent"
if [ -z "$bin" ]; then bin=$(command -v roadside-agent || true); fi
[ -n "$bin" ] || bin=/usr/bin/roadside-agent
case "$bin" in /*) ;; *) die "--bin must be an absolute path, got $bin" ;; esac
dropin="$unit_dir/roadside-agent@.service.d/exec-start.conf"
if [ "$bin" != /usr/bin/roadside-agent ]; then
  mkdir -p "$(dirname "$dropin")"
  printf '[Service]\nExecStart=\nExecStart=%s run --config /etc/roadside-agent/%%i.json\n' "$bin" >"$dropin"
  chmod 0644 "$dropin"
fi

# 3. The config, from the template: this camera's id, url and location; state and log paths
#    left to systemd (StateDirectory=, LogsDirectory=); the password from the credential.
install -d -m 0755 "$etc"
if [ -e "$config" ] && [ "$force" -ne 1 ]; then
  echo "install-camera: keeping existing $config (--force to overwrite)"
else
  tmp=$(mktemp "$etc/.$camera.json.XXXXXX")
  CAMERA="$camera" URL="$url" LOCATION="$location" node -e '
    const fs = require("node:fs");
    const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    delete c.$schema;
    c.camera = c.camera ?? {};
    c.camera.id = process.env.CAMERA;
    if (process.env.URL) c.camera.source = { ...(c.camera.source ?? {}), url: process.env.URL };
    if (process.env.LOCATION) c.camera.location = process.env.LOCATION;
    if (c.queue) delete c.queue.state_dir;
    if (c.operate) delete c.operate.log_file;
    if (c.models) delete c.models.dir;
    if (c.central) delete c.central.password_file;
    fs.writeFileSync(process.argv[2], JSON.stringify(c, null, 2) + "\n");
  ' "$template" "$tmp"
  chmod 0640 "$tmp"
  [ -n "$root" ] || chgrp roadside-agent "$tmp"
  mv "$tmp" "$config"
fi

# 4. The MySQL password: root:root 0600 in a 0700 directory; systemd hands the service a copy.
install -d -m 0700 "$cred_dir"
umask 077
if [ -n "$password_file" ]; then
  head -n 1 "$password_file" >"$cred.tmp"
elif [ -n "${ROADSIDE_MYSQL_PASSWORD+x}" ]; then
  printf '%s\n' "$ROADSIDE_MYSQL_PASSWORD" >"$cred.tmp"
elif [ -e "$cred" ]; then
  cp "$cred" "$cred.tmp"
elif [ -t 0 ]; then
  read -r -s -p "MySQL password for camera $camera (empty for none): " pw; echo
  printf '%s\n' "$pw" >"$cred.tmp"; unset pw
else
  : >"$cred.tmp"
fi
chmod 0600 "$cred.tmp"
[ -n "$root" ] || chown root:root "$cred.tmp"
mv "$cred.tmp" "$cred"

[ -z "$root" ] || { echo "install-camera: files for $camera installed under $root"; exit 0; }

# 5. Check the config as the service would see it, then enable the instance.
# The unit preloads jemalloc; without it the agent runs on glibc's malloc, ~12 MB larger.
if ! ldconfig -p 2>/dev/null | grep -q 'libjemalloc\.so\.2 '; then
  echo "install-camera: libjemalloc.so.2 not found (apt-get install libjemalloc2): the agent will run on glibc's malloc, with more memory (systemd/README.md, Memory)" >&2
fi
check_args=("$config")
[ "$probes" -eq 1 ] || check_args+=(--no-probes)
# The password reaches check-config as the service gets it: $CREDENTIALS_DIRECTORY/mysql-password.
cred_tmp=$(mktemp -d)
trap 'rm -rf "$cred_tmp"' EXIT
cp "$cred" "$cred_tmp/mysql-password"
CREDENTIALS_DIRECTORY="$cred_tmp" "$bin" check-config "${check_args[@]}" \
  || die "check-config failed for $config: fix it, then run: systemctl enable --now roadside-agent@$camera.service"
systemctl daemon-reload
if [ "$start" -eq 1 ]; then
  systemctl enable --now "roadside-agent@$camera.service"
else
  systemctl enable "roadside-agent@$camera.service"
fi
echo "install-camera: roadside-agent@$camera.service enabled; logs: roadside-agent logs $camera -f"
