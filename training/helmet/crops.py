"""Extra training heads from ../shared/datasets/helmet-crops, re-cut to the agent's geometry.

The crop set's 96/ images are square context crops, 2.0 x the labelled head box's longer side,
centred on the box; its manifest gives the box, so the head's place inside each context crop
is known and train_member's synthetic crops (size and offset drawn from the agent's own crops)
can be cut from it like from a frame. What is taken:

- splits train and val of the crop set, never test (that is the held-out media/helmet-crops);
- never a crop of a photo the frame set holds (same repository path): its train photos are
  trained on already, its val photos must stay unseen; nor one that looks like a head of the
  val split (a re-drawn or mirrored copy the path does not give away: grey 24x24 correlation
  >= NEAR_DUPLICATE with the same head cut from the val frame; copies of val photos score
  0.91-1.0 (median 0.996), heads of other photos 0.34-0.79 (5th-95th percentile)).

Mostly this adds source C: 1,100+ helmeted riders seen from behind on Vietnamese CCTV, which
the frame set has 20 photos of."""
import csv
import os

import cv2
import numpy as np

from data import cut, read_heads

CONTEXT = 2.0  # the 96/ crops' side over the head box's longer side
NEAR_DUPLICATE = 0.85
CLASS_INDEX = {"helmet": 0, "no_helmet": 1}


def signature(img):
    g = cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (24, 24), interpolation=cv2.INTER_AREA).astype(np.float32).ravel()
    g -= g.mean()
    return g / (np.linalg.norm(g) + 1e-6)


def context_square(box):
    """The crop set's context square around a head box, in its photo: CONTEXT x the box's longer
    side, centred on it (x1, y1, x2, y2)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half = CONTEXT * max(box[2] - box[0], box[3] - box[1]) / 2
    return (cx - half, cy - half, cx + half, cy + half)


def _context_of(img, box):
    """The square CONTEXT x longer-side crop around box, as the crop set cut it."""
    return cut(img, context_square(box), 96)


def val_signatures(frames_dir, manifest_rows, splits=("val",)):
    """Signatures (and mirrored ones) of every labelled head of the frame set's `splits`."""
    sigs = []
    for row in manifest_rows:
        if row["split"] not in splits:
            continue
        img = cv2.imread(os.path.join(frames_dir, row["file"]), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f"cannot decode {row['file']}")
        h, w = img.shape[:2]
        for _, box in read_heads(os.path.join(frames_dir, row["label_file"]), w, h):
            ctx = _context_of(img, box)
            sigs.append(signature(ctx))
            sigs.append(signature(ctx[:, ::-1]))
    return np.stack(sigs) if sigs else np.zeros((0, 576), np.float32)


def unseen_crops(crops_dir, frames_dir, splits, near_splits, limit=0):
    """The crop set's rows of `splits` with their context image ([(row, image)]), leaving out
    crops of photos the frame set holds and near-duplicates of its `near_splits` heads, and
    counts of what was left out and why."""
    with open(os.path.join(frames_dir, "manifest.csv")) as f:
        frame_rows = list(csv.DictReader(f))
    frame_paths = {(r["repo"], r["original_path"]) for r in frame_rows}
    sigs = val_signatures(frames_dir, frame_rows, near_splits)
    with open(os.path.join(crops_dir, "manifest.csv")) as f:
        rows = [r for r in csv.DictReader(f) if r["split"] in splits]
    if limit:
        rows = rows[:limit]
    kept, dropped = [], {"frame_set_photo": 0, "near_duplicate": 0, "unreadable": 0}
    for r in rows:
        if (r["repo"], r["path"]) in frame_paths:
            dropped["frame_set_photo"] += 1
            continue
        img = cv2.imread(os.path.join(crops_dir, r["file96"]), cv2.IMREAD_COLOR)
        if img is None:
            dropped["unreadable"] += 1
            continue
        if len(sigs) and float((sigs @ signature(img)).max()) >= NEAR_DUPLICATE:
            dropped["near_duplicate"] += 1
            continue
        kept.append((r, img))
    return kept, dropped


def load_crop_heads(crops_dir, frames_dir, images, limit=0):
    """Registers the kept context crops of the crop set's train and val splits in `images` (keys
    "crops/<crop_id>") and returns ([(key, head box inside the context crop, label)], counts of
    what was left out and why). Near-duplicates are checked against the frame set's val heads."""
    kept, dropped = unseen_crops(crops_dir, frames_dir, ("train", "val"), ("val",), limit)
    heads = []
    for r, img in kept:
        key = "crops/" + r["crop_id"]
        images.cache[key] = img
        heads.append((key, head_in_context(r, img.shape[1]), CLASS_INDEX[r["label"]]))
    return heads, dropped


def head_in_context(row, side):
    """The labelled box, in the pixels of its side x side context crop."""
    w = float(row["x2"]) - float(row["x1"])
    h = float(row["y2"]) - float(row["y1"])
    scale = side / (CONTEXT * max(w, h, 1.0))
    c = side / 2
    return (c - w * scale / 2, c - h * scale / 2, c + w * scale / 2, c + h * scale / 2)
