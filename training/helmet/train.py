"""Trains the rider helmet classifier and exports it as ONNX with its labels.json contract.

    /usr/bin/python3 training/helmet/train.py --data DIR --persons FILE --backbone yolox_nano.onnx --out DIR

Pretrained start: the backbone of the agent's own COCO scene detector (yolox_nano.onnx),
read out of its ONNX initializers; a linear head over its dark4 + dark5 features. Trained on
the agent-cut crops of the train split (+ synthetic crops with the agent crops' geometry);
model selection, temperature calibration and the thresholds are chosen on the val split only.
The exported model averages the logits of the crop and its mirror image (--no-mirror: the crop
alone); --bag K trains K members on grouped folds instead and reports their out-of-fold quality
(folds.py). Deterministic for a given seed and thread count."""
import argparse
import json
import math
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crop_check import check as check_crop_set  # noqa: E402
from crops import load_crop_heads  # noqa: E402
from data import CLASSES, Images, cut, deterministic_torch, load_persons, load_split, to_tensor_batch  # noqa: E402
from fit import predict_logits, train_member  # noqa: E402
from folds import auc, train_bag  # noqa: E402
from yolox_backbone import HelmetEnsemble, Mirrored  # noqa: E402


def parser():
    """The recipe's options."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="helmet-frames folder (images/, labels/ in YOLO layout)")
    p.add_argument("--persons", required=True, help="persons.json from person-boxes.ts")
    p.add_argument("--backbone", required=True, help="yolox_nano.onnx (the scene detector)")
    p.add_argument("--out", required=True, help="output folder for the ONNX, labels.json and report")
    p.add_argument("--crops", help="helmet-crops folder: its train/val context crops, re-cut to the agent's geometry, as extra training heads (crops.py)")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=24)
    p.add_argument("--synthetic", type=int, default=2, help="synthetic crops per labelled head per epoch")
    p.add_argument("--truncate", type=float, default=0.0, help="share of synthetic crops whose head the picture's top edge cuts through (truncated_crop)")
    p.add_argument("--ema", type=float, default=0.0, help="keep an exponential moving average of the weights with this decay per step (e.g. 0.99) and judge/keep it instead of the raw weights")
    p.add_argument("--grid", type=int, default=1, help="features averaged over grid x grid cells of the crop (HelmetNet)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr-backbone", type=float, default=3e-4, help="peak learning rate of the pretrained backbone (its BatchNorms are folded into the convolutions)")
    p.add_argument("--lr-head", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=20261201)
    p.add_argument("--threads", type=int, default=1, help="PyTorch threads (1: next to other work on 2 cores, more threads mostly wait on each other)")
    p.add_argument("--limit", type=int, default=0, help="images per split (a tiny sample for CI)")
    p.add_argument("--ensemble", type=int, default=1, help="members trained with seeds seed, seed+1, ...; their logits averaged")
    p.add_argument("--bag", type=int, default=0, help="K members, each trained on K-1 grouped folds of the train split for the fixed --epochs and judged on the fold it left out (folds.py); their logits averaged")
    p.add_argument("--min-precision", type=float, default=0.9, help="no_helmet precision the threshold must reach on val")
    p.add_argument("--mirror", action=argparse.BooleanOptionalAction, default=True, help="the exported model averages the logits of the crop and its mirror image (calibrated and thresholded that way on val; --no-mirror: the crop alone)")
    p.add_argument("--check-crops", help="helmet-crops folder: its val split, re-cut to the agent's geometry, judged by the finished model per source (crop_check.py; a report section, chooses nothing)")
    p.add_argument("--keep-last", action="store_true", help="keep the last epoch's weights instead of the epoch with the lowest val NLL")
    return p


def fit_temperature(logits, labels):
    best = (math.inf, 1.0)
    for t in np.arange(0.3, 5.01, 0.02):
        nll = F.cross_entropy(logits / float(t), labels).item()
        best = min(best, (nll, float(t)))
    return best[1], best[0]


def reliability(p, y, bins=10):
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        m = (p >= lo) & ((p < hi) if b < bins - 1 else (p <= hi))
        n = int(m.sum())
        rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": n, "mean_p": round(float(p[m].mean()), 3) if n else None,
                     "observed_no_helmet": round(float(y[m].mean()), 3) if n else None})
    ece = sum(r["n"] * abs(r["mean_p"] - r["observed_no_helmet"]) for r in rows if r["n"]) / max(len(p), 1)
    return rows, round(float(ece), 4)


def counts(p, y, t):
    tp = int(((p >= t) & (y == 1)).sum())
    fp = int(((p >= t) & (y == 0)).sum())
    fn = int(((p < t) & (y == 1)).sum())
    return tp, fp, fn


def choose_threshold(p, y, min_precision, floor=0.3):
    """Lowest threshold from `floor` whose no_helmet precision on val reaches min_precision (most recall)."""
    for t in np.arange(floor, 0.96, 0.01):
        tp, fp, fn = counts(p, y, t)
        if tp + fp > 0 and tp / (tp + fp) >= min_precision:
            return round(float(t), 2)
    return 0.95


def summary(logits, y, min_precision):
    """Out-of-fold quality: AUC, NLL after one temperature, no_helmet recall at the threshold rule."""
    t, nll = fit_temperature(logits, torch.tensor(y))
    p = torch.softmax(logits / t, dim=1)[:, 1].numpy()
    threshold = choose_threshold(p, y, min_precision)
    tp, fp, fn = counts(p, y, threshold)
    return {"crops": len(y), "auc": round(auc(p, y), 4), "nll": round(nll, 4), "temperature": round(t, 2), "threshold": threshold,
            "no_helmet": {"tp": tp, "fp": fp, "fn": fn}, "recall": round(tp / max(tp + fn, 1), 3)}


def bag_report(bag, min_precision):
    plain, flipped, y, per_epoch = bag.out_of_fold()
    return {"folds": len(bag.members), "out_of_fold": summary(plain, y, min_precision),
            "out_of_fold_mirror_mean": summary((plain + flipped) / 2, y, min_precision), "heldout_nll_per_epoch": per_epoch}


def inline_identities(onnx_path):
    """PyTorch shares equal weights of ensemble members through Identity nodes over one
    initializer; OpenCV's DNN cannot read those, so each becomes an initializer of its own."""
    import onnx
    m = onnx.load(onnx_path)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    keep = []
    for node in g.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            copy = onnx.TensorProto()
            copy.CopyFrom(inits[node.input[0]])
            copy.name = node.output[0]
            g.initializer.append(copy)
        else:
            keep.append(node)
    if len(keep) != len(g.node):
        del g.node[:]
        g.node.extend(keep)
        onnx.save(m, onnx_path)


def check_export(onnx_path, model, images, samples, size):
    """The exported ONNX, run by OpenCV's DNN (an independent runtime), against PyTorch."""
    x = to_tensor_batch([cut(images.get(k), c, size).astype(np.float32) for k, c, _ in samples])
    with torch.no_grad():
        want = model(torch.from_numpy(x)).numpy()
    net = cv2.dnn.readNetFromONNX(onnx_path)
    got = []
    for i in range(len(x)):
        net.setInput(x[i:i + 1])
        got.append(net.forward())
    diff = float(np.abs(np.concatenate(got) - want).max())
    if not diff < 1e-3:
        raise SystemExit(f"train.py: the exported ONNX disagrees with PyTorch by {diff}")
    return diff


def main():
    a = parser().parse_args()
    deterministic_torch(a.threads)
    started = time.time()
    persons, crop_rule = load_persons(a.persons)
    a.lift = float((crop_rule or {}).get("lift", 0.1))
    images = Images(a.data)
    _, train, train_heads, geoms = load_split(a.data, persons, "train", a.limit)
    _, val, val_heads, _ = load_split(a.data, persons, "val", a.limit)
    if not train or not val or not geoms:
        raise SystemExit(f"train.py: no matched crops (train {len(train)}, val {len(val)}): wrong --data or --persons?")
    crop_heads, crops_dropped = load_crop_heads(a.crops, a.data, images, a.limit * 4) if a.crops else ([], {})
    print(f"train: {len(train)} agent crops, {len(train_heads)} labelled heads + {len(crop_heads)} crop-set heads (left out: {crops_dropped}); val: {len(val)} agent crops, {len(val_heads)} heads")

    val_y = torch.tensor([c for _, _, c in val])
    training = (train, train_heads + crop_heads, geoms)
    bag = None
    if a.bag:
        a.keep_last = True
        bag = train_bag(a, images, training, started)
        members = bag.members
    else:
        members = [train_member(a, a.seed + i, images, training, val, started) for i in range(a.ensemble)]
    model = members[0].model if len(members) == 1 else HelmetEnsemble([m.model for m in members])
    if a.mirror:
        model = Mirrored(model, a.size)
    best_epochs = [m.best_epoch for m in members]
    history = [m.history for m in members] if len(members) > 1 else members[0].history
    vl = predict_logits(model, images, val, a.size)
    t, nll = fit_temperature(vl, val_y)
    model.temperature.fill_(t)
    p = torch.softmax(vl / t, dim=1)[:, 1].numpy()
    y = val_y.numpy()
    table, ece = reliability(p, y)
    threshold = choose_threshold(p, y, a.min_precision)
    helmet_threshold = round(min(0.5, threshold), 2)
    tp, fp, fn = counts(p, y, threshold)
    train_s = time.time() - started

    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, "rider_helmet.onnx")
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, a.size, a.size), onnx_path, input_names=["input"], output_names=["prob"],
                      dynamic_axes={"input": {0: "N"}, "prob": {0: "N"}}, opset_version=13)
    inline_identities(onnx_path)
    export_diff = check_export(onnx_path, model, images, val[:64], a.size)
    labels = {
        "model": "rider_helmet.onnx",
        "classes": list(CLASSES),
        "positive_violation_class": "no_helmet",
        "input": {"name": "input", "shape": ["N", 3, a.size, a.size], "dtype": "float32", "layout": "NCHW", "color": "BGR",
                  "scale": 1, "mean": [0, 0, 0], "std": [1, 1, 1], "formula": "x = pixel (raw 0-255, BGR: the scene detector's own input)",
                  "resize": f"{a.size}x{a.size} stretch of the square head crop, area-average when downscaling; out-of-frame parts padded with edge pixels"},
        "output": {"name": "prob", "shape": ["N", 2], "meaning": "calibrated probabilities (temperature scaling on val), index 0 = helmet, 1 = no_helmet"},
        "crop": crop_rule,
        "crop_rule": "from a rider's person box: side = min(width_fraction x person_w, height_fraction x person_h), top = person_y1 - lift x side, centred on person cx; config models.helmet.crop (src/detect/riders.ts headCrop)",
        "calibration": {"method": "temperature", "temperature": round(t, 3), "val_nll": round(nll, 4), "val_ece": ece, "reliability": table},
        "threshold": threshold,
        "helmet_threshold": helmet_threshold,
        "threshold_rule": f"lowest P(no_helmet) whose no_helmet precision on the val split's agent crops is >= {a.min_precision}; below helmet_threshold the verdict is helmet, between the two unknown",
        "val_agent_crops": {"n": len(val), "no_helmet": {"tp": tp, "fp": fp, "fn": fn}},
        "opset": 13,
        "arch": "YOLOX-Nano backbone (from the COCO scene detector, Apache-2.0) + linear head on dark4/dark5 mean features"
                + (f"; {len(members)} members' logits averaged" if len(members) > 1 else "") + ("; logits averaged over the crop and its mirror image" if a.mirror else ""),
        "train_sources": "helmet-frames train split: kaggle (A), khadatkar (B, CC BY 4.0), nckh (C, MIT)",
    }
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1)
    report = {"seed": a.seed, "lr_backbone": a.lr_backbone, "lr_head": a.lr_head, "synthetic": a.synthetic, "truncate": a.truncate, "ema": a.ema, "grid": a.grid, "crops": bool(a.crops), "threads": a.threads, "epochs": a.epochs, "ensemble": a.ensemble, "mirror": a.mirror, "keep_last": a.keep_last, "bag": bag_report(bag, a.min_precision) if bag else None, "best_epoch": best_epochs if len(members) > 1 else best_epochs[0], "size": a.size,
              "train_crops": len(train), "train_heads": len(train_heads), "crop_set_heads": len(crop_heads), "crop_set_left_out": crops_dropped, "val_crops": len(val), "val_heads": len(val_heads),
              "train_seconds": round(train_s, 1), "history": history,
              "export_max_abs_diff": export_diff,
              "crop_set_val": check_crop_set(model, a.check_crops, a.data, geoms, a.size, threshold, a.limit * 4) if a.check_crops else None,
              "parameters": sum(q.numel() for q in model.parameters()), "onnx_bytes": os.path.getsize(onnx_path)}
    with open(os.path.join(a.out, "training-report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps({"temperature": t, "ece": ece, "threshold": threshold, "val": {"tp": tp, "fp": fp, "fn": fn}, "train_seconds": round(train_s)}))


if __name__ == "__main__":
    main()
