#!/usr/bin/env bash
# Everything a fresh Debian 12/13 machine with Node >= 20.19 needs to build, run and test the
# agent: Debian packages (ffmpeg; libjemalloc2, the malloc the systemd unit preloads; GStreamer's
# RTSP server for the tests; systemd for `systemd-analyze verify`; iproute2/iptables for the
# network fault drills; OpenCV for the peer benchmark; Chromium for the installer page's browser
# test; MariaDB with galera-4 and rsync for the cluster tests and `npm run drill:cluster`) and the
# npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  ffmpeg libjemalloc2
  gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav python3-gi
  iproute2 iptables systemd
  python3-opencv python3-numpy
  chromium
  mariadb-server mariadb-client galera-4 rsync
)

bash scripts/apt-install.sh setup "${APT_PACKAGES[@]}"

# The helmet training recipe's own set-up (Debian's python3-torch, -onnx, -opencv): the test
# suite runs the recipe on a tiny sample.
bash training/helmet/setup.sh

# .npmrc sets onnxruntime-node-install=skip (its CUDA add-on download is unreachable; the CPU
# and WebGPU providers are bundled). `npm ci` also builds dist/ through the prepare script.
npm ci --no-audit --no-fund
