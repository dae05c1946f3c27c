# Shared by train.sh and train-heads.sh (sourced, not run): reads DATA, MODELS, OUT and the
# recipe's arguments, sets LIMIT (for person-boxes.ts) and TRAIN_ARGS (for the Python step),
# checks the inputs exist and installs what the recipes need. --tiny: 8 images per split, one
# epoch, into a temp dir unless HELMET_OUT names one. The caller sets RECIPE (its name).
DATA="${HELMET_DATA:-../shared/datasets/helmet-frames}"
MODELS="${ROADSIDE_MODELS_DIR:-../shared/models}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
LIMIT=()
TRAIN_ARGS=()
for a in "$@"; do
  if [ "$a" = "--tiny" ]; then
    LIMIT=(--limit 8); TRAIN_ARGS+=(--limit 8 --epochs 1); OUT="${HELMET_OUT:-$WORK/out}"
  else
    TRAIN_ARGS+=("$a")
  fi
done
for f in "$DATA/images/train" "$DATA/labels/train" "$MODELS/coco/yolox_nano.onnx"; do
  [ -e "$f" ] || { echo "$RECIPE: not found: $f (set HELMET_DATA / ROADSIDE_MODELS_DIR)" >&2; exit 66; }
done
bash training/helmet/setup.sh
