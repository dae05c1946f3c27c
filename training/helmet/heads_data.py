"""Training and validation regions for the head detector, cut the way the agent cuts them.

`persons.json` (person-boxes.ts: the agent's own scene detector) gives every person box; the
agent searches a rider's heads in a square over the top of its box (config
models.helmet.region, src/detect/head-detector.ts headRegion). A region's targets are the
labelled heads whose centre lies inside it, whatever person they belong to (a passenger behind
the driver is in the driver's region too); regions with no labelled head are not used (their
heads may just be unlabelled). Every labelled head also gets synthetic regions whose size and
offset relative to the head are drawn from the agent's regions, so heads whose person the
detector missed still teach the model."""
import os

import cv2
import numpy as np
import torch
from data import cut, degrade, read_heads

# src/detect/head-detector.ts and config.schema.json's models.helmet.region defaults.
REGION_RULE = {"width_fraction": 1.1, "height_fraction": 0.45, "lift": 0.12}


def region_of(box, rule):
    x1, y1, x2, y2 = box
    side = max(1.0, rule["width_fraction"] * (x2 - x1), rule["height_fraction"] * (y2 - y1))
    cx = (x1 + x2) / 2
    top = y1 - rule["lift"] * side
    return (cx - side / 2, top, cx + side / 2, top + side)


def centre_inside(head, reg):
    cx, cy = (head[0] + head[2]) / 2, (head[1] + head[3]) / 2
    return reg[0] <= cx < reg[2] and reg[1] <= cy < reg[3]


def load_regions(data_dir, persons, split, rule, limit=0):
    """[(image_key, region)] of agent regions holding a labelled head, the labelled heads
    {image_key: [(class, box)]}, and each matched head's geometry (region side / head side,
    region centre offset from the head centre in region sides)."""
    regions, heads, geoms = [], {}, []
    keys = sorted(k for k in persons if k.startswith(split + "/"))[: limit or None]
    for key in keys:
        p = persons[key]
        stem = os.path.splitext(key.split("/", 1)[1])[0]
        hs = read_heads(os.path.join(data_dir, "labels", split, stem + ".txt"), p["width"], p["height"])
        heads[key] = hs
        for person in p["persons"]:
            b = person["box"]
            reg = region_of((b["x1"], b["y1"], b["x2"], b["y2"]), rule)
            inside = [g for _, g in hs if centre_inside(g, reg)]
            if not inside:
                continue
            regions.append((key, reg))
            side = reg[2] - reg[0]
            for g in inside:
                s = max(g[2] - g[0], g[3] - g[1], 1.0)
                geoms.append((side / s, ((reg[0] + reg[2]) - (g[0] + g[2])) / 2 / side, ((reg[1] + reg[3]) - (g[1] + g[3])) / 2 / side))
    return keys, regions, heads, geoms


def synthetic_region(head, geom, rng):
    s, dx, dy = geom
    side = s * max(head[2] - head[0], head[3] - head[1], 1.0) * rng.uniform(0.9, 1.1)
    cx = (head[0] + head[2]) / 2 + dx * side
    cy = (head[1] + head[3]) / 2 + dy * side
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


def targets_in(heads, reg, size):
    """The heads whose centre is in the region, in input pixels of a size² input, clipped."""
    k = size / (reg[2] - reg[0])
    out = []
    for c, g in heads:
        if not centre_inside(g, reg):
            continue
        b = [min(max(v, 0.0), float(size)) for v in ((g[0] - reg[0]) * k, (g[1] - reg[1]) * k, (g[2] - reg[0]) * k, (g[3] - reg[1]) * k)]
        if b[2] - b[0] >= 2 and b[3] - b[1] >= 2:
            out.append((c, b))
    return out


def augment_region(x, targets, rng, size):
    """data.augment's changes for a region with boxes: mirror (boxes with it), distant riders
    (down to 32-96 px and back), then data.degrade (motion blur, night IR grey, lighting, noise)."""
    if rng.random() < 0.5:
        x = x[:, ::-1]
        targets = [(c, [size - b[2], b[1], size - b[0], b[3]]) for c, b in targets]
    if rng.random() < 0.3:
        s = rng.randint(32, 96)
        x = cv2.resize(cv2.resize(x, (s, s), interpolation=cv2.INTER_AREA), (size, size), interpolation=cv2.INTER_LINEAR)
    return degrade(x, rng), targets


def batch_of(images, items, heads, size, rng=None):
    xs, ts = [], []
    for k, r in items:
        x, t = cut(images.get(k), r, size), targets_in(heads.get(k, []), r, size)
        if rng is not None:
            x, t = augment_region(x, t, rng, size)
        xs.append(x.astype(np.float32))
        ts.append(t)
    return torch.from_numpy(np.ascontiguousarray(np.stack(xs).transpose(0, 3, 1, 2))), ts
