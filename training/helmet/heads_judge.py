"""How the recipe finds and judges val heads the way the agent does (src/detect/head-detector.ts
decodeHeads and attributeHeads, src/detect/head-views.ts for the mirrored view), for the
temperature, the threshold and the report."""
import math

import torch

from data import area, inter
from heads_data import batch_of


def iou(a, b):
    i = inter(a, b)
    return i / max(area(a) + area(b) - i, 1e-6)


def region_heads(rows, r, size, presence, nms_iou):
    """One view's heads in region r (the agent's decodeHeads): presence filter, NMS, in frame
    pixels: [(box, presence, class logit difference no_helmet - helmet)], surest first."""
    sc = (r[2] - r[0]) / size
    heads = []
    for cx, cy, w, h, pr, ph, pn in rows[rows[:, 4] >= presence]:
        box = (r[0] + (cx - w / 2) * sc, r[1] + (cy - h / 2) * sc, r[0] + (cx + w / 2) * sc, r[1] + (cy + h / 2) * sc)
        heads.append((box, float(pr), math.log(max(pn, 1e-7)) - math.log(max(ph, 1e-7))))
    return suppress(heads, nms_iou)


def suppress(heads, nms_iou):
    kept = []
    for f in sorted(heads, key=lambda f: -f[1]):
        if all(iou(f[0], q[0]) <= nms_iou for q in kept):
            kept.append(f)
    return kept


# A head mostly inside a surer one is that head (src/detect/head-detector.ts SAME_HEAD_COVER).
SAME_HEAD_COVER = 0.6


def drop_contained(heads, cover=SAME_HEAD_COVER):
    """The agent's dropContained (src/detect/nms.ts): surest first, a head whose overlap with a
    kept one exceeds `cover` of the smaller of the two boxes is dropped."""
    kept = []
    for f in sorted(heads, key=lambda f: -f[1]):
        if all(inter(f[0], q[0]) <= cover * min(area(f[0]), area(q[0])) for q in kept):
            kept.append(f)
    return kept


def merge_views(plain, mirrored, same=0.5):
    """The agent's mergeViews (src/detect/head-views.ts): a head both views found (IoU >= same,
    surest plain heads matched first) is one, box averaged, presence the higher, logit averaged;
    a head one view alone found is kept."""
    used, out = set(), []
    for box, pr, d in plain:
        match, best = -1, same
        for j, (gb, _, _) in enumerate(mirrored):
            v = iou(box, gb)
            if j not in used and v >= best:
                match, best = j, v
        if match < 0:
            out.append((box, pr, d))
            continue
        used.add(match)
        gb, gp, gd = mirrored[match]
        out.append((tuple((a + b) / 2 for a, b in zip(box, gb)), max(pr, gp), (d + gd) / 2))
    out += [g for j, g in enumerate(mirrored) if j not in used]
    return out


def found_heads(model, images, regions, size, presence, nms_iou, flip=False):
    """Per image key, the heads found in all its regions, once each (the surest of overlapping
    ones kept, as the agent's attributeHeads keeps them): [(box in frame pixels, presence, class
    logit difference no_helmet - helmet)].
    With flip, each region is also run mirrored and the two views merged, as the agent does."""
    model.eval()
    per_key = {}
    with torch.no_grad():
        for s in range(0, len(regions), 64):
            chunk = regions[s:s + 64]
            x, _ = batch_of(images, chunk, {}, size)
            rows = model(x).numpy()
            mirrored = model(torch.flip(x, dims=[3])).numpy() if flip else None
            for i, (k, r) in enumerate(chunk):
                heads = region_heads(rows[i], r, size, presence, nms_iou)
                if flip:
                    m = mirrored[i].copy()
                    m[:, 0] = size - m[:, 0]
                    heads = suppress(merge_views(heads, region_heads(m, r, size, presence, nms_iou)), nms_iou)
                per_key.setdefault(k, []).extend(heads)
    return {k: drop_contained(suppress(found, nms_iou)) for k, found in per_key.items()}


# A labelled head and a found head are the same head when one lies at least this much inside the
# other (scripts/eval/helmet-frames.ts SAME_LABEL_COVER).
SAME_LABEL_COVER = 0.5


def match_heads(labels, found):
    """The evaluation's matchHeads (scripts/eval/helmet-frames.ts): per labelled box, the index of
    the found head matched to it or None; one to one within an image, pairs where one box lies at
    least SAME_LABEL_COVER inside the other taken greedily by IoU."""
    pairs = []
    for i, g in enumerate(labels):
        for j, (box, _, _) in enumerate(found):
            if inter(g, box) >= SAME_LABEL_COVER * max(min(area(g), area(box)), 1.0):
                pairs.append((-iou(g, box), i, j))
    out, used = [None] * len(labels), set()
    for _, i, j in sorted(pairs):
        if out[i] is None and j not in used:
            out[i] = j
            used.add(j)
    return out


def judge_heads(found, heads):
    """Per labelled head, its class and the logit difference of the found head matched to it (the
    evaluation's rule, match_heads), or None when none is."""
    out = []
    for k, hs in heads.items():
        fs = found.get(k, [])
        for (c, _), j in zip(hs, match_heads([g for _, g in hs], fs)):
            out.append((c, None if j is None else fs[j][2]))
    return out
