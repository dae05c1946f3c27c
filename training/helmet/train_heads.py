"""Trains the agent's rider head detector (heads_model.py) on regions cut the way the agent
cuts them (heads_data.py): --members models from consecutive seeds, each at its epoch with the
lowest val loss, shipped as one (HeadEnsemble); calibrates P(no_helmet) by a temperature on val's
found heads, chooses the threshold on val, exports ONNX and writes its labels.json contract and
training-report.json. See README.md."""
import argparse
import json
import math
import os
import time

import numpy as np
import torch

from data import Images, deterministic_torch, load_persons, seeded
from heads_crops import crop_region, load_crops
from heads_data import REGION_RULE, batch_of, load_regions, region_of, synthetic_region
from heads_judge import found_heads, judge_heads
from heads_model import STRIDES, HeadEnsemble, HeadNet, detection_loss
from train import choose_threshold, counts, fit_temperature, reliability

MODEL = "rider_heads.onnx"


def parser():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True, help="helmet-frames folder (images/, labels/ in YOLO layout)")
    p.add_argument("--persons", required=True, help="persons.json from person-boxes.ts")
    p.add_argument("--backbone", required=True, help="yolox_nano.onnx (the scene detector)")
    p.add_argument("--out", required=True, help="output folder for the ONNX, labels.json and report")
    p.add_argument("--size", type=int, default=128, help="the model's square input side")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--synthetic", type=int, default=1, help="synthetic regions per labelled head per epoch")
    p.add_argument("--crops", help="helmet-crops folder: its --crop-source train crops (riders from behind on street CCTV) join the training, one region each per epoch")
    p.add_argument("--crop-source", default="C_nckh", help="helmet-crops source whose crops join the training")
    p.add_argument("--lr-backbone", type=float, default=5e-4)
    p.add_argument("--lr-head", type=float, default=3e-3)
    p.add_argument("--presence", type=float, default=0.3, help="presence at or above which a head counts as found (the agent's presence_threshold)")
    p.add_argument("--nms-iou", type=float, default=0.45)
    p.add_argument("--no-flip", dest="flip", action="store_false",
                   help="judge val regions as they are only (by default also mirrored, the two views merged, as config models.helmet.flip)")
    p.add_argument("--min-precision", type=float, default=0.9, help="no_helmet precision per labelled val head the threshold must reach")
    p.add_argument("--min-threshold", type=float, default=0.5,
                   help="lowest no_helmet threshold the rule may choose: below 0.5 a calibrated P(no_helmet) says a helmet is the likelier, and no violation is called on that")
    p.add_argument("--seed", type=int, default=20261201)
    p.add_argument("--members", type=int, default=3, help="models trained alike from seeds seed, seed+1, ...; more than one ship as one ensemble (raw outputs averaged)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=0, help="images per split (a tiny sample for CI)")
    return p


def val_loss(model, images, regions, heads, size):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for s in range(0, len(regions), 64):
            x, t = batch_of(images, regions[s:s + 64], heads, size)
            total += detection_loss(model.raw(x), t).item() * len(t)
    return total / max(len(regions), 1)


def train(a, images, train_set, val_set, started, seed):
    regions, heads, geoms, crops = train_set
    crop_heads, crop_keys = crops
    targets = {**heads, **crop_heads}
    val_regions, val_heads = val_set
    rng = seeded(seed)
    torch.manual_seed(seed)
    model = HeadNet(a.backbone)
    head_params = [q for n, q in model.named_parameters() if not n.startswith("backbone.")]
    opt = torch.optim.AdamW([{"params": model.backbone.parameters(), "lr": a.lr_backbone}, {"params": head_params, "lr": a.lr_head}], weight_decay=1e-4)
    labelled = [(k, g) for k, hs in heads.items() for _, g in hs]
    steps = math.ceil((len(regions) + a.synthetic * len(labelled) + len(crop_keys)) / a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[a.lr_backbone, a.lr_head], total_steps=a.epochs * steps, pct_start=0.15)
    best, history = (math.inf, None, 0), []
    for epoch in range(a.epochs):
        model.train()
        items = list(regions) + [(k, synthetic_region(g, geoms[rng.randrange(len(geoms))], rng)) for k, g in labelled for _ in range(a.synthetic)]
        items += [(k, crop_region(images.get(k).shape[1], geoms[rng.randrange(len(geoms))], rng)) for k in crop_keys]
        rng.shuffle(items)
        total = 0.0
        for s in range(0, len(items), a.batch):
            x, t = batch_of(images, items[s:s + a.batch], targets, a.size, rng)
            loss = detection_loss(model.raw(x), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(t)
        vl = val_loss(model, images, val_regions, val_heads, a.size)
        history.append({"epoch": epoch + 1, "train_loss": round(total / len(items), 4), "val_loss": round(vl, 4)})
        print(f"seed {seed} epoch {epoch + 1}/{a.epochs}: train loss {total / len(items):.4f}, val loss {vl:.4f} ({time.time() - started:.0f} s)", flush=True)
        if vl < best[0]:
            best = (vl, {k: v.clone() for k, v in model.state_dict().items()}, epoch + 1)
    model.load_state_dict(best[1])
    return model, best[2], history


PROBE_FORMULA = "x[n, c, h, w] = (2 w + h + 40 c) mod 256, one input"


def probe(model, size):
    """The model's output on a pattern any runtime can rebuild (PROBE_FORMULA): ONNX Runtime
    runs the exported file on it in the recipe's test and must agree (OpenCV's DNN, the
    classifier's independent check, cannot read this graph's decoding)."""
    c, h, w = np.meshgrid(np.arange(3), np.arange(size), np.arange(size), indexing="ij")
    x = torch.from_numpy(((2 * w + h + 40 * c) % 256).astype(np.float32)[None])
    with torch.no_grad():
        rows = model(x)[0].numpy()
    return {"formula": PROBE_FORMULA, "rows": [[round(float(v), 5) for v in r] for r in rows]}


def all_person_regions(persons, split, limit):
    keys = sorted(k for k in persons if k.startswith(split + "/"))[: limit or None]
    return [(k, region_of((b["x1"], b["y1"], b["x2"], b["y2"]), REGION_RULE)) for k in keys for b in (p["box"] for p in persons[k]["persons"])]


def main():
    a = parser().parse_args()
    deterministic_torch(a.threads)
    started = time.time()
    persons, _ = load_persons(a.persons)
    images = Images(a.data)
    _, regions, heads, geoms = load_regions(a.data, persons, "train", REGION_RULE, a.limit)
    _, val_regions, val_heads, _ = load_regions(a.data, persons, "val", REGION_RULE, a.limit)
    if not regions or not val_regions:
        raise SystemExit(f"train_heads.py: no regions with a labelled head (train {len(regions)}, val {len(val_regions)}): wrong --data or --persons?")
    n_train_heads = sum(len(h) for h in heads.values())
    crops = load_crops(a.crops, a.data, a.crop_source, images, a.limit) if a.crops else ({}, [])
    print(f"train: {len(regions)} agent regions, {n_train_heads} labelled heads, {len(crops[1])} {a.crop_source if a.crops else 'no'} crops; val: {len(val_regions)} regions, {sum(len(h) for h in val_heads.values())} heads", flush=True)
    trained = [train(a, images, (regions, heads, geoms, crops), (val_regions, val_heads), started, a.seed + m) for m in range(a.members)]
    model = trained[0][0] if a.members == 1 else HeadEnsemble([m for m, _, _ in trained])
    train_s = time.time() - started

    # Calibration and threshold, per labelled val head, over every val person's region.
    judged = judge_heads(found_heads(model, images, all_person_regions(persons, "val", a.limit), a.size, a.presence, a.nms_iou, a.flip), val_heads)
    matched = [(c, d) for c, d in judged if d is not None]
    y = np.array([c for c, _ in matched])
    d = torch.tensor([[0.0, v] for _, v in matched])
    t, nll = fit_temperature(d, torch.tensor(y)) if len(matched) else (1.0, None)
    model.temperature.fill_(t)
    p = torch.softmax(d / t, dim=1)[:, 1].numpy() if len(matched) else np.zeros(0)
    table, ece = reliability(p, y)
    threshold = choose_threshold(p, y, a.min_precision, a.min_threshold)
    helmet_threshold = round(min(0.5, threshold), 2)
    tp, fp, _ = counts(p, y, threshold)
    bare = sum(1 for c, _ in judged if c == 1)

    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, MODEL)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, a.size, a.size), onnx_path, input_names=["input"], output_names=["heads"],
                      dynamic_axes={"input": {0: "N"}, "heads": {0: "N"}}, opset_version=13)
    cells = sum((a.size // s) ** 2 for s in STRIDES)
    labels = {
        "model": MODEL,
        "kind": "head_detector",
        "classes": ["helmet", "no_helmet"],
        "positive_violation_class": "no_helmet",
        "input": {"name": "input", "shape": ["N", 3, a.size, a.size], "dtype": "float32", "layout": "NCHW", "color": "BGR", "scale": 1,
                  "mean": [0, 0, 0], "std": [1, 1, 1], "formula": "x = pixel (raw 0-255, BGR: the scene detector's own input)",
                  "resize": f"{a.size}x{a.size} stretch of the square region, area-average when downscaling; out-of-frame parts padded with edge pixels"},
        "output": {"name": "heads", "shape": ["N", cells, 7],
                   "meaning": f"one row per cell of strides {list(STRIDES)}: cx, cy, w, h (input pixels), presence, P(helmet), P(no_helmet) (class probabilities calibrated by temperature scaling on val)"},
        "region": REGION_RULE,
        "region_rule": "from a rider's person box: side = max(width_fraction x person_w, height_fraction x person_h), top = person_y1 - lift x side, centred on person cx; config models.helmet.region (src/detect/head-detector.ts headRegion)",
        "presence_threshold": a.presence,
        "nms_iou": a.nms_iou,
        "flip": a.flip,
        "calibration": {"method": "temperature", "temperature": round(t, 3), "val_nll": None if nll is None else round(nll, 4), "val_ece": ece, "found_heads": len(matched), "reliability": table},
        "threshold": threshold,
        "helmet_threshold": helmet_threshold,
        "threshold_rule": f"{'each region also judged mirrored, the two views merged (class logits averaged); ' if a.flip else ''}lowest P(no_helmet), not under {a.min_threshold}, whose no_helmet precision per labelled val head (found in any val person's region) is >= {a.min_precision}; below helmet_threshold the verdict is helmet, between the two unknown",
        "val_heads": {"n": len(judged), "found": len(matched), "bare": bare, "no_helmet": {"tp": tp, "fp": fp, "fn": bare - tp}},
        "opset": 13,
        "arch": ("" if a.members == 1 else f"an ensemble of {a.members} alike, trained from seeds {a.seed}..{a.seed + a.members - 1}, their raw outputs averaged per cell; each: ")
        + "YOLOX-Nano backbone dark3/4/5 (from the COCO scene detector, Apache-2.0) + a 3-level feature pyramid and one 7-value prediction per cell",
        "members": a.members,
        "train_sources": "helmet-frames train split: kaggle (A), khadatkar (B, CC BY 4.0), nckh (C, MIT)",
    }
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1)
    members = [{"seed": a.seed + i, "best_epoch": e, "history": h} for i, (_, e, h) in enumerate(trained)]
    report = {"seed": a.seed, "threads": a.threads, "epochs": a.epochs, "members": members, "min_threshold": a.min_threshold, "size": a.size, "batch": a.batch, "synthetic": a.synthetic,
              "lr_backbone": a.lr_backbone, "lr_head": a.lr_head, "train_regions": len(regions), "train_heads": n_train_heads, "val_regions": len(val_regions),
              "crops": a.crop_source if a.crops else None, "train_crops": len(crops[1]),
              "train_seconds": round(train_s, 1), "probe": probe(model, a.size),
              "parameters": sum(q.numel() for q in model.parameters()), "onnx_bytes": os.path.getsize(onnx_path)}
    with open(os.path.join(a.out, "training-report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps({"temperature": t, "ece": ece, "threshold": threshold, "val_heads": labels["val_heads"], "train_seconds": round(train_s)}))


if __name__ == "__main__":
    main()
