#!/usr/bin/env bash
# What the helmet training recipe needs on a Debian 12/13 machine: PyTorch, torchvision's
# runtime, onnx and OpenCV from Debian's own packages (no other registry), used through
# /usr/bin/python3. Safe to run again.
set -euo pipefail
PACKAGES=(python3-torch python3-torchvision python3-onnx python3-opencv python3-numpy)
bash "$(dirname "$0")/../../scripts/apt-install.sh" training/helmet/setup.sh "${PACKAGES[@]}"
/usr/bin/python3 -c 'import torch, onnx, cv2, numpy' || { echo "training/helmet/setup.sh: /usr/bin/python3 cannot import torch, onnx, cv2 and numpy" >&2; exit 1; }
