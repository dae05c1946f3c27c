"""A second check beside the frame set's val split: the crop set's val split
(../shared/datasets/helmet-crops, split "val"), re-cut to the agent's crop geometry and judged
by the finished model at its threshold, per source.

Its source C is 224 helmeted riders seen from behind on Vietnamese CCTV, which the frame set
has almost none of: the false alarms there are what a roadside camera's helmeted traffic would
see. Crops of photos the frame set holds, and near-duplicates of any frame-set head (train or
val), are left out, as in crops.py. Each crop is cut at the median geometry of the agent's
train crops relative to their heads (size over the head's longer side, centre offset)."""
import numpy as np
import torch

from crops import head_in_context, unseen_crops
from data import cut, to_tensor_batch


def crop_set_val(crops_dir, frames_dir, limit=0):
    """[(context image, head box, label, source)] of the kept val crops, and what was left out."""
    kept, dropped = unseen_crops(crops_dir, frames_dir, ("val",), ("train", "val"), limit)
    return [(img, head_in_context(r, img.shape[1]), 1 if r["label"] == "no_helmet" else 0, r["source"]) for r, img in kept], dropped


def check(model, crops_dir, frames_dir, geoms, size, threshold, limit=0):
    """Per source: helmet crops and how many the model calls no_helmet; bare crops and how many it finds."""
    kept, dropped = crop_set_val(crops_dir, frames_dir, limit)
    if not kept:
        return {"left_out": dropped, "sources": {}}
    g = np.median(np.array(geoms), axis=0)
    xs = []
    for img, h, _, _ in kept:
        side = g[0] * max(h[2] - h[0], h[3] - h[1])
        cx, cy = (h[0] + h[2]) / 2 + g[1] * side, (h[1] + h[3]) / 2 + g[2] * side
        xs.append(cut(img, (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2), size).astype(np.float32))
    model.eval()
    with torch.no_grad():
        p = model(torch.from_numpy(to_tensor_batch(xs)))[:, 1].numpy()
    out = {}
    for i, (_, _, y, src) in enumerate(kept):
        s = out.setdefault(src, {"helmet": 0, "helmet_called_no_helmet": 0, "no_helmet": 0, "no_helmet_found": 0})
        key = "no_helmet" if y else "helmet"
        s[key] += 1
        if p[i] >= threshold:
            s["no_helmet_found" if y else "helmet_called_no_helmet"] += 1
    return {"geometry": [round(float(v), 3) for v in g], "threshold": threshold, "left_out": dropped, "sources": out}
