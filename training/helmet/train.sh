#!/usr/bin/env bash
# Rebuilds the shipped helmet classifier (models/helmet/) from ../shared/datasets/helmet-frames:
#   bash training/helmet/train.sh            full run (~10 min of 2 cores when the box is idle)
#   bash training/helmet/train.sh --tiny     8 images per split, 1 epoch, into a temp dir (CI)
# Environment: HELMET_DATA (the frame set), ROADSIDE_MODELS_DIR (for coco/yolox_nano.onnx, the
# scene detector whose person boxes and backbone the classifier uses), HELMET_OUT (output
# folder, default models/helmet), HELMET_CROPS (the crop set, checked in the report when present).
# Extra arguments go to train.py (e.g. --epochs 12).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${HELMET_OUT:-models/helmet}"
RECIPE=train.sh
# shellcheck source=common.sh
source training/helmet/common.sh "$@"
start=$(date +%s)
ROADSIDE_MODELS_DIR="$MODELS" npx tsx training/helmet/person-boxes.ts --data "$DATA" --out "$WORK/persons.json" "${LIMIT[@]}"
# The crop set's val split is a second check in the report (crop_check.py) when it is there.
CROPS="${HELMET_CROPS:-../shared/datasets/helmet-crops}"
CHECK=()
[ -f "$CROPS/manifest.csv" ] && CHECK=(--check-crops "$CROPS")
nice -n "${HELMET_NICE:-0}" /usr/bin/python3 training/helmet/train.py --data "$DATA" --persons "$WORK/persons.json" \
  --backbone "$MODELS/coco/yolox_nano.onnx" --out "$OUT" "${CHECK[@]}" "${TRAIN_ARGS[@]}"
echo "train.sh: done in $(( $(date +%s) - start )) s; model, labels.json and training-report.json in $OUT"
