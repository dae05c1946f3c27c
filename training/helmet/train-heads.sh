#!/usr/bin/env bash
# Rebuilds the shipped rider head detector (models/helmet-heads/) from ../shared/datasets/helmet-frames:
#   bash training/helmet/train-heads.sh          full run: three members (21-50 min of 2 cores, by the box)
#   bash training/helmet/train-heads.sh --tiny   8 images per split, 1 epoch a member, into a temp dir (CI)
# Environment: HELMET_DATA (the frame set), ROADSIDE_MODELS_DIR (for coco/yolox_nano.onnx, the
# scene detector whose person boxes and backbone the detector uses), HELMET_OUT (output folder,
# default models/helmet-heads). Extra arguments go to train_heads.py (e.g. --epochs 12).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${HELMET_OUT:-models/helmet-heads}"
RECIPE=train-heads.sh
# shellcheck source=common.sh
source training/helmet/common.sh "$@"
start=$(date +%s)
ROADSIDE_MODELS_DIR="$MODELS" npx tsx training/helmet/person-boxes.ts --data "$DATA" --out "$WORK/persons.json" "${LIMIT[@]}"
nice -n "${HELMET_NICE:-0}" /usr/bin/python3 training/helmet/train_heads.py --data "$DATA" --persons "$WORK/persons.json" \
  --backbone "$MODELS/coco/yolox_nano.onnx" --out "$OUT" "${TRAIN_ARGS[@]}"
echo "train-heads.sh: done in $(( $(date +%s) - start )) s; model, labels.json and training-report.json in $OUT"
