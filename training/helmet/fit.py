"""One classifier fitted on the agent-cut crops: the training loop, and the epoch with the
lowest val NLL kept. Deterministic for a seed (its own RNG streams, reseeded here)."""
import copy
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from data import augment, cut, seeded, synthetic_crop, to_tensor_batch, truncated_crop
from yolox_backbone import HelmetNet


@dataclass
class Member:
    model: HelmetNet
    best_epoch: int
    best_nll: float
    history: list


def batches(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def predict_logits(model, images, samples, size):
    model.eval()
    out = []
    with torch.no_grad():
        for chunk in batches(samples, 256):
            x = to_tensor_batch([cut(images.get(k), c, size).astype(np.float32) for k, c, _ in chunk])
            out.append(model.logits(torch.from_numpy(x)))
    return torch.cat(out) if out else torch.zeros((0, 2))


def ema_update(ema, model, decay):
    """ema = decay * ema + (1 - decay) * model, parameter by parameter."""
    with torch.no_grad():
        for e, p in zip(ema.parameters(), model.parameters()):
            e.mul_(decay).add_(p, alpha=1 - decay)


def train_member(a, seed, images, training, val, started):
    """a: train.py's arguments; training: (agent crops, labelled heads, crop geometries)."""
    train, train_heads, geoms = training
    rng = seeded(seed)
    torch.manual_seed(seed)
    model = HelmetNet(a.backbone, grid=a.grid)
    params = [{"params": model.backbone.parameters(), "lr": a.lr_backbone}, {"params": model.fc.parameters(), "lr": a.lr_head}]
    opt = torch.optim.AdamW(params, weight_decay=1e-4)
    steps_per_epoch = math.ceil((len(train) + a.synthetic * len(train_heads)) / a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[a.lr_backbone, a.lr_head], total_steps=a.epochs * steps_per_epoch, pct_start=0.15)
    val_y = torch.tensor([c for _, _, c in val])
    best = (math.inf, None, -1)
    history = []
    ema = copy.deepcopy(model) if a.ema else None  # the averaged weights are the ones judged and kept
    for epoch in range(a.epochs):
        model.train()
        items = [(k, c, y, None) for k, c, y in train]
        for k, g, y in train_heads:
            for _ in range(a.synthetic):
                geom = geoms[rng.randrange(len(geoms))]
                if a.truncate and rng.random() < a.truncate:
                    crop, edge = truncated_crop(g, geom, a.lift, rng)
                    items.append((k, crop, y, edge))
                else:
                    items.append((k, synthetic_crop(g, geom, rng), y, None))
        rng.shuffle(items)
        total, seen = 0.0, 0
        for chunk in batches(items, a.batch):
            x = to_tensor_batch([augment(cut(images.get(k), c, a.size, edge), rng) for k, c, _, edge in chunk])
            y = torch.tensor([c for _, _, c, _ in chunk])
            loss = F.cross_entropy(model.logits(torch.from_numpy(x)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if ema is not None:
                ema_update(ema, model, a.ema)
            total += loss.item() * len(chunk)
            seen += len(chunk)
        judged = ema if ema is not None else model
        vl = predict_logits(judged, images, val, a.size)
        vnll = F.cross_entropy(vl, val_y).item()
        vacc = float((vl.argmax(1) == val_y).float().mean())
        history.append({"epoch": epoch + 1, "train_loss": round(total / seen, 4), "val_nll": round(vnll, 4), "val_acc": round(vacc, 4)})
        print(f"seed {seed} epoch {epoch + 1}/{a.epochs}: train loss {total / seen:.4f}, val nll {vnll:.4f}, val acc {vacc:.3f} ({time.time() - started:.0f} s)")
        if (epoch + 1 == a.epochs) if a.keep_last else vnll < best[0]:
            best = (vnll, {k: v.clone() for k, v in judged.state_dict().items()}, epoch + 1)
    model.load_state_dict(best[1])
    return Member(model, best[2], best[0], history)
