"""Grouped folds of the train split, for bagging (`train.py --bag K`).

The train split's photos are dealt into K folds by their `split_group` (manifest.csv: copies,
re-drawn and mirrored duplicates of one photo share a group, so they share a fold). Member k
is trained on every fold but k for a fixed number of epochs (the last epoch is kept: nothing is
chosen on the fold it is judged on, nor on val) and predicts fold k's agent crops, plain and
mirrored. Pooled, those out-of-fold predictions judge a recipe on ~1,100 crops of photos its
members never saw, instead of on the val split's 152: enough to tell recipes apart from seed
noise. The val split is left for the bag's calibration and threshold."""
import csv
import os
import random

import numpy as np
import torch

from fit import predict_logits, train_member


def fold_of_groups(data_dir, folds, seed):
    """{train image key: fold}, whole split groups to one fold, dealt round-robin after a
    seeded shuffle."""
    with open(os.path.join(data_dir, "manifest.csv")) as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == "train"]
    groups = sorted({r["split_group"] for r in rows})
    random.Random(seed).shuffle(groups)
    fold = {g: i % folds for i, g in enumerate(groups)}
    return {"train/" + os.path.basename(r["file"]): fold[r["split_group"]] for r in rows}


def auc(p, y):
    """Probability that a no_helmet crop scores above a helmet crop (ties count half)."""
    pos, neg = p[y == 1], p[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def mirrored(images, samples):
    """The same crops cut from mirrored frames (registered as "<key>#m")."""
    out = []
    for k, c, y in samples:
        mk = k + "#m"
        if mk not in images.cache:
            images.cache[mk] = np.ascontiguousarray(images.get(k)[:, ::-1])
        w = images.get(k).shape[1]
        out.append((mk, (w - c[2], c[1], w - c[0], c[3]), y))
    return out


class Bag:
    """The members of a bag and their out-of-fold predictions."""

    def __init__(self):
        self.members, self.plain, self.flipped, self.labels, self.epochs = [], [], [], [], []

    def out_of_fold(self):
        """(plain logits, mirrored logits, labels, held-out NLL per epoch averaged over folds)."""
        per_epoch = [round(float(np.mean(e)), 4) for e in zip(*self.epochs)]
        return torch.cat(self.plain), torch.cat(self.flipped), np.array(self.labels), per_epoch


def train_bag(a, images, training, started):
    """a.bag members, member k fitted on all folds but k with seed a.seed + k, judged on fold k.
    training: (agent crops of the train split, labelled heads (+ crop-set heads), geometries);
    crop-set heads ("crops/..." keys) are in no fold and train every member."""
    crops, heads, geoms = training
    fold = fold_of_groups(a.data, a.bag, a.seed)
    bag = Bag()
    for k in range(a.bag):
        held = [s for s in crops if fold[s[0]] == k]
        fit_on = ([s for s in crops if fold[s[0]] != k], [h for h in heads if fold.get(h[0], -1) != k], geoms)
        if not held or not fit_on[0]:
            raise SystemExit(f"train.py: fold {k} has {len(held)} held-out and {len(fit_on[0])} training crops: too few images for --bag {a.bag}?")
        m = train_member(a, a.seed + k, images, fit_on, held, started)
        bag.members.append(m)
        bag.plain.append(predict_logits(m.model, images, held, a.size))
        bag.flipped.append(predict_logits(m.model, images, mirrored(images, held), a.size))
        bag.labels += [y for _, _, y in held]
        bag.epochs.append([h["val_nll"] for h in m.history])
    return bag
