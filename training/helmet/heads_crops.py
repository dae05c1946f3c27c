"""Riders seen from behind on street CCTV, for the head detector (`--crops`): the crop set's
96x96 context crops of one source (by default C, Vietnamese street CCTV, helmet only), of which
the frame set holds only 23 photos.

The crops taken are crops.py's `unseen_crops` of the crop set's train split (no photo of the
frame set, no near-duplicate of a val head), less those whose square leaves their photo (the set
pads them with edge streaks only these crops would have). A crop's targets are every labelled
head of the same photo whose centre lies in it (the neighbours are labelled too), mapped into
the crop. Its region is drawn from the close half of the agent's region geometry (side 1.6-2.0
head sides, shifted down as the agent's regions are), clamped inside the crop."""
import csv
import os

from crops import CONTEXT, context_square, unseen_crops

BOX = ("x1", "y1", "x2", "y2")


def load_crops(crops_dir, frames_dir, source, images, limit=0):
    """Registers the kept train crops of `source` in `images` ("crops/<crop_id>") and returns
    ({key: [(class, box in crop pixels)]}, [key])."""
    with open(os.path.join(crops_dir, "manifest.csv")) as f:
        photos = {}
        for r in csv.DictReader(f):
            if r["source"] == source:
                photos.setdefault(r["source_image"], []).append((int(r["label_idx"]), tuple(float(r[k]) for k in BOX)))
    kept, _ = unseen_crops(crops_dir, frames_dir, ("train",), ("val",))
    heads, keys = {}, []
    for r, img in kept:
        x0, y0, x1, y1 = context_square(tuple(float(r[k]) for k in BOX))
        if r["source"] != source or x0 < 0 or y0 < 0 or x1 > float(r["img_w"]) or y1 > float(r["img_h"]):
            continue
        k = img.shape[1] / (x1 - x0)
        mapped = [(c, ((b[0] - x0) * k, (b[1] - y0) * k, (b[2] - x0) * k, (b[3] - y0) * k)) for c, b in photos[r["source_image"]]]
        key = "crops/" + r["crop_id"]
        images.cache[key] = img
        heads[key] = [(c, b) for c, b in mapped if 0 <= (b[0] + b[2]) / 2 < img.shape[1] and 0 <= (b[1] + b[3]) / 2 < img.shape[0]]
        keys.append(key)
        if limit and len(keys) >= limit:
            break
    return heads, keys


def crop_region(size, geom, rng):
    """A region inside a size x size crop (head centred, CONTEXT head sides): side between 1.6
    and 2.0 head sides and the agent's downward shift (geom's dy), clamped into the crop."""
    head = size / CONTEXT
    side = min(max(geom[0], 1.6), CONTEXT) * head * rng.uniform(0.95, 1.0)
    room = (size - side) / 2
    dx = max(-room, min(room, geom[1] * side))
    dy = max(-room, min(room, geom[2] * side))
    x1, y1 = room + dx, room + dy
    return (x1, y1, x1 + side, y1 + side)
