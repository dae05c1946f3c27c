"""Training and validation samples for the helmet classifier, cut the way the agent cuts them.

`persons.json` (made by person-boxes.ts with the agent's own scene detector and head-crop
rule) gives every person box and the head crop the agent would classify. A crop is labelled
with the labelled head it covers (>= half of the head's box inside the crop, the evaluation's
rule); crops covering no head, or two heads of different classes, are not used. For more
samples, every labelled head also gets synthetic crops whose size and offset relative to
the head are drawn from the matched agent crops, so their geometry is the field's."""
import json
import os
import random

import cv2
import numpy as np

CLASSES = ("helmet", "no_helmet")


def read_heads(label_file, width, height):
    heads = []
    if not os.path.exists(label_file):
        return heads
    with open(label_file) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 5:
                continue
            c, cx, cy, w, h = int(parts[0]), *map(float, parts[1:])
            heads.append((c, ((cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height)))
    return heads


def inter(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def area(a):
    return max(0.0, a[2] - a[0]) * max(0.0, a[3] - a[1])


def match_crop(crop, heads, min_cover=0.5):
    """The label of the head this crop covers, or None (no head, or heads of both classes)."""
    covered = [(inter(g, crop) / max(area(g), 1.0), c, g) for c, g in heads]
    covered = [x for x in covered if x[0] >= min_cover]
    if not covered or len({c for _, c, _ in covered}) > 1:
        return None
    return max(covered)


def geometry(crop, head):
    """Crop side relative to the head's longer side, and the crop centre's offset from the
    head centre in crop sides."""
    side = crop[2] - crop[0]
    hs = max(head[2] - head[0], head[3] - head[1], 1.0)
    dx = ((crop[0] + crop[2]) / 2 - (head[0] + head[2]) / 2) / side
    dy = ((crop[1] + crop[3]) / 2 - (head[1] + head[3]) / 2) / side
    return side / hs, dx, dy


def synthetic_crop(head, geom, rng):
    s, dx, dy = geom
    s *= rng.uniform(0.9, 1.1)
    hs = max(head[2] - head[0], head[3] - head[1], 1.0)
    side = s * hs
    cx = (head[0] + head[2]) / 2 + (dx + rng.uniform(-0.05, 0.05)) * side
    cy = (head[1] + head[3]) / 2 + (dy + rng.uniform(-0.05, 0.05)) * side
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


def truncated_crop(head, geom, lift, rng):
    """A head the frame's top edge cuts through (riders close to a high camera: face seen, crown
    out of the picture). The edge falls at 20-60% of the head's height; the person box then
    starts at the edge, so the agent's crop starts `lift` crop sides above it. Returns the crop
    and the edge's y (everything above it is out of the picture)."""
    x1, _, x2, _ = synthetic_crop(head, geom, rng)
    edge = head[1] + rng.uniform(0.2, 0.6) * (head[3] - head[1])
    top = edge - lift * (x2 - x1)
    return (x1, top, x2, top + (x2 - x1)), edge


def load_split(data_dir, persons, split, limit=0):
    """[(image_key, crop, label)] of agent crops, plus heads [(image_key, head_box, label)]."""
    samples, heads_all, geoms = [], [], []
    keys = sorted(k for k in persons if k.startswith(split + "/"))
    if limit:
        keys = keys[:limit]
    for key in keys:
        p = persons[key]
        name = key.split("/", 1)[1]
        stem = os.path.splitext(name)[0]
        heads = read_heads(os.path.join(data_dir, "labels", split, stem + ".txt"), p["width"], p["height"])
        for c, g in heads:
            heads_all.append((key, g, c))
        for person in p["persons"]:
            cb = person["crop"]
            crop = (cb["x1"], cb["y1"], cb["x2"], cb["y2"])
            m = match_crop(crop, heads)
            if m is None:
                continue
            _, c, g = m
            samples.append((key, crop, c))
            geoms.append(geometry(crop, g))
    return keys, samples, heads_all, geoms


class Images:
    """Decoded frames (BGR, as the scene detector's BGR input) kept in memory."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.cache = {}

    def get(self, key):
        if key not in self.cache:
            split, name = key.split("/", 1)
            img = cv2.imread(os.path.join(self.data_dir, "images", split, name), cv2.IMREAD_COLOR)
            if img is None:
                raise ValueError(f"cannot decode image {key}")
            self.cache[key] = img
        return self.cache[key]


def cut(img, crop, size, edge=None):
    """The crop, padded with edge pixels where it leaves the image, area-resized to size².
    `edge`: a simulated top of the picture (rows above it are treated as outside)."""
    if edge is not None and edge > 0:
        e = min(int(round(edge)), img.shape[0] - 1)
        img, crop = img[e:], (crop[0], crop[1] - e, crop[2], crop[3] - e)
    h, w = img.shape[:2]
    x1, y1, x2, y2 = (int(round(v)) for v in crop)
    x2, y2 = max(x2, x1 + 1), max(y2, y1 + 1)
    pl, pt, pr, pb = max(0, -x1), max(0, -y1), max(0, x2 - w), max(0, y2 - h)
    region = img[max(0, y1):min(h, y2), max(0, x1):min(w, x2)]
    if region.size == 0:
        region = np.zeros((1, 1, 3), np.uint8)
    if pl or pt or pr or pb:
        region = cv2.copyMakeBorder(region, pt, pb, pl, pr, cv2.BORDER_REPLICATE)
    interp = cv2.INTER_AREA if region.shape[0] > size else cv2.INTER_LINEAR
    return cv2.resize(region, (size, size), interpolation=interp)


def augment(x, rng):
    """What the training photos lack: small distant heads, then degrade()'s CCTV blur, night IR
    grey, lighting and noise."""
    if rng.random() < 0.5:
        x = x[:, ::-1]
    if rng.random() < 0.3:  # small, distant heads: down to 12-32 px and back up
        s = rng.randint(12, 32)
        x = cv2.resize(cv2.resize(x, (s, s), interpolation=cv2.INTER_AREA), x.shape[:2][::-1], interpolation=cv2.INTER_LINEAR)
    return degrade(x, rng)


def degrade(x, rng):
    """Motion blur, night / IR grey, brightness and contrast, sensor noise; float32 out."""
    if rng.random() < 0.2:  # motion blur
        k = rng.choice([3, 5, 7])
        kernel = np.zeros((k, k), np.float32)
        if rng.random() < 0.5:
            kernel[k // 2, :] = 1.0 / k
        else:
            kernel[:, k // 2] = 1.0 / k
        x = cv2.filter2D(x, -1, kernel)
    x = x.astype(np.float32)
    if rng.random() < 0.15:  # night / IR: grey
        g = x.mean(axis=2, keepdims=True)
        x = np.repeat(g, 3, axis=2)
    a = rng.uniform(0.6, 1.4)
    b = rng.uniform(-30, 30)
    x = np.clip(x * a + b, 0, 255)
    if rng.random() < 0.2:
        x = np.clip(x + np.random.RandomState(rng.randint(0, 1 << 30)).normal(0, 6, x.shape), 0, 255)
    return x


def deterministic_torch(threads):
    """PyTorch on `threads` threads with deterministic algorithms, OpenCV on one: a recipe's run is
    reproducible for a given seed and thread count."""
    import torch
    torch.set_num_threads(threads)
    cv2.setNumThreads(1)
    torch.use_deterministic_algorithms(True)


def to_tensor_batch(crops):
    """HWC BGR float → NCHW float32, raw 0-255 (the scene detector's own input scaling)."""
    return np.ascontiguousarray(np.stack(crops).transpose(0, 3, 1, 2), dtype=np.float32)


def load_persons(path):
    """persons.json's images: {"<split>/<file>": {width, height, persons: [{box, score, crop}]}}."""
    with open(path) as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("images"), dict):
        raise ValueError(f"{path}: not a persons.json made by person-boxes.ts (no 'images' object)")
    return doc["images"], doc.get("crop_rule")


def seeded(seed):
    random.seed(seed)
    np.random.seed(seed)
    return random.Random(seed)
