"""The rider head detector: the COCO scene detector's YOLOX-Nano backbone (dark3/4/5, read out
of its ONNX file, yolox_backbone.py) under a small feature pyramid and one prediction layer per
cell at strides 8, 16 and 32. Each cell predicts a head box, how sure it is that a head is
there (presence), and helmet / no_helmet logits. The exported graph decodes its rows:
[N, cells, 7] = cx, cy, w, h (input pixels), presence, P(helmet), P(no_helmet), the class
probabilities divided by a calibration temperature fitted on val."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from yolox_backbone import OnnxBackbone

STRIDES = (8, 16, 32)
# Outputs of yolox_nano.onnx's backbone stages: dark3 (64 ch, stride 8), dark4 (128, 16), dark5 (256, 32).
DARK3, DARK4, DARK5 = "781", "841", "886"
# A labelled head goes to the level whose stride suits its longer side (input pixels).
LEVEL_MAX_SIDE = (40, 80)


def _conv(i, o, k):
    return nn.Sequential(nn.Conv2d(i, o, k, padding=k // 2), nn.BatchNorm2d(o), nn.SiLU())


class HeadNet(nn.Module):
    def __init__(self, onnx_path, ch=64):
        super().__init__()
        self.backbone = OnnxBackbone(onnx_path, outputs=(DARK3, DARK4, DARK5))
        self.lat = nn.ModuleList([nn.Conv2d(c, ch, 1) for c in (64, 128, 256)])
        self.smooth = nn.ModuleList([_conv(ch, ch, 3) for _ in STRIDES])
        self.pred = nn.Conv2d(ch, 7, 1)
        self.register_buffer("temperature", torch.ones(1))
        nn.init.constant_(self.pred.bias, 0.0)
        with torch.no_grad():
            self.pred.bias[4] = -4.0  # few cells hold a head: start with presence near 0

    def raw(self, x):
        """Per level [N, 7, H, W]: box offsets (x, y, log w, log h in strides), presence logit, class logits."""
        d3, d4, d5 = self.backbone(x)
        p5 = self.lat[2](d5)
        p4 = self.lat[1](d4) + F.interpolate(p5, scale_factor=2, mode="nearest")
        p3 = self.lat[0](d3) + F.interpolate(p4, scale_factor=2, mode="nearest")
        return [self.pred(s(p)) for s, p in zip(self.smooth, (p3, p4, p5))]

    def forward(self, x):
        return decode_rows(self.raw(x), self.temperature)


class HeadEnsemble(nn.Module):
    """Several HeadNets trained alike from different seeds, as one model: per level their raw
    outputs (box offsets, presence and class logits) averaged, then decoded as one HeadNet's,
    with its own calibration temperature. Same input and output contract as a HeadNet."""

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.register_buffer("temperature", torch.ones(1))

    def raw(self, x):
        outs = [m.raw(x) for m in self.members]
        return [torch.stack(level).mean(0) for level in zip(*outs)]

    def forward(self, x):
        return decode_rows(self.raw(x), self.temperature)


def decode_rows(outs, temperature):
    """Per-level raw outputs → [N, cells, 7] rows: cx, cy, w, h (input pixels), presence,
    P(helmet), P(no_helmet) (softmax of the class logits over the temperature)."""
    rows = []
    for o, stride in zip(outs, STRIDES):
        n, _, h, w = o.shape
        gy, gx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
        box = decode_boxes(o, gx, gy, stride)
        cls = torch.softmax(o[:, 5:7] / temperature, dim=1)
        r = torch.cat([box, torch.sigmoid(o[:, 4:5]), cls], dim=1)
        rows.append(r.reshape(n, 7, h * w))
    return torch.cat(rows, dim=2).permute(0, 2, 1)


def decode_boxes(o, gx, gy, stride):
    """[N, 4, H, W] cx, cy, w, h in input pixels (YOLOX's decoding)."""
    cx = (o[:, 0] + gx) * stride
    cy = (o[:, 1] + gy) * stride
    w = torch.exp(o[:, 2].clamp(max=6)) * stride
    h = torch.exp(o[:, 3].clamp(max=6)) * stride
    return torch.stack([cx, cy, w, h], dim=1)


def level_of(b):
    s = max(b[2] - b[0], b[3] - b[1])
    return 0 if s <= LEVEL_MAX_SIDE[0] else (1 if s <= LEVEL_MAX_SIDE[1] else 2)


def positives(targets, li, stride, h, w):
    """Cells that predict a head at level li: the cell under its centre and the neighbours whose
    centres lie inside its box within 1.5 strides of its centre; a cell two heads claim is the
    smaller head's. Returns [(image, gy, gx, class, box)]."""
    out = []
    for i, t in enumerate(targets):
        owner = {}
        for c, b in sorted(t, key=lambda cb: -(cb[1][2] - cb[1][0]) * (cb[1][3] - cb[1][1])):
            if level_of(b) != li:
                continue
            cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            ci, cj = min(int(cy // stride), h - 1), min(int(cx // stride), w - 1)
            owner[(ci, cj)] = (c, b)
            for gy in range(max(0, ci - 1), min(h, ci + 2)):
                for gx in range(max(0, cj - 1), min(w, cj + 2)):
                    px, py = (gx + 0.5) * stride, (gy + 0.5) * stride
                    if b[0] <= px <= b[2] and b[1] <= py <= b[3] and abs(px - cx) <= 1.5 * stride and abs(py - cy) <= 1.5 * stride:
                        owner[(gy, gx)] = (c, b)
        out.extend((i, gy, gx, c, b) for (gy, gx), (c, b) in owner.items())
    return out


def giou(a, b):
    """Generalised IoU of matching rows of two [M, 4] x1, y1, x2, y2 tensors."""
    iw = (torch.min(a[:, 2], b[:, 2]) - torch.max(a[:, 0], b[:, 0])).clamp(min=0)
    ih = (torch.min(a[:, 3], b[:, 3]) - torch.max(a[:, 1], b[:, 1])).clamp(min=0)
    inter = iw * ih
    union = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter + 1e-6
    hull = (torch.max(a[:, 2], b[:, 2]) - torch.min(a[:, 0], b[:, 0])) * (torch.max(a[:, 3], b[:, 3]) - torch.min(a[:, 1], b[:, 1])) + 1e-6
    return inter / union - (hull - union) / hull


def detection_loss(outs, targets, box_weight=5.0):
    """Presence BCE over every cell, class CE and 1 - GIoU over the positive cells, per positive.
    targets: per image [(class, [x1, y1, x2, y2] in input pixels)]."""
    total, npos = 0.0, 0
    for li, (o, stride) in enumerate(zip(outs, STRIDES)):
        n, _, h, w = o.shape
        pos = positives(targets, li, stride, h, w)
        presence = torch.zeros(n, h, w)
        for i, gy, gx, _, _ in pos:
            presence[i, gy, gx] = 1.0
        total = total + F.binary_cross_entropy_with_logits(o[:, 4], presence, reduction="sum")
        if not pos:
            continue
        ii, gy, gx = (torch.tensor([p[k] for p in pos]) for k in range(3))
        po = o[ii, :, gy, gx]
        total = total + F.cross_entropy(po[:, 5:7], torch.tensor([p[3] for p in pos]), reduction="sum")
        d = decode_boxes(po[:, :, None, None], gx.float()[:, None, None], gy.float()[:, None, None], stride)[:, :, 0, 0]
        pb = torch.stack([d[:, 0] - d[:, 2] / 2, d[:, 1] - d[:, 3] / 2, d[:, 0] + d[:, 2] / 2, d[:, 1] + d[:, 3] / 2], 1)
        total = total + box_weight * (1 - giou(pb, torch.tensor([p[4] for p in pos], dtype=torch.float32))).sum()
        npos += len(pos)
    return total / max(npos, 1)
