"""The backbone of the agent's COCO scene detector (YOLOX-Nano), rebuilt in PyTorch from the
ONNX file's own graph and initializers, so the helmet classifier starts from pretrained
features instead of from scratch. Only the ops of that graph's backbone are implemented:
Slice (the Focus stem), Conv, Sigmoid, Mul, Add, Concat, MaxPool. Each Conv's weights become
trainable parameters."""
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

# Outputs of the backbone stages in yolox_nano.onnx (opencv_zoo, sha256 c789161e...):
# dark4 (128 channels, stride 16) and dark5 (256 channels, stride 32, after SPP and CSP).
DARK4 = "841"
DARK5 = "886"


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxBackbone(nn.Module):
    def __init__(self, onnx_path: str, outputs=(DARK4, DARK5)):
        super().__init__()
        model = onnx.load(onnx_path)
        graph = model.graph
        inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.input_name = graph.input[0].name
        self.outputs = list(outputs)
        needed = self._needed(graph, set(outputs))
        self.steps = []
        self.convs = nn.ModuleDict()
        self.consts = {}
        for i, node in enumerate(graph.node):
            if i not in needed:
                continue
            op = node.op_type
            a = _attrs(node)
            if op == "Conv":
                w = torch.tensor(inits[node.input[1]])
                b = torch.tensor(inits[node.input[2]]) if len(node.input) > 2 else None
                conv = nn.Conv2d(w.shape[1] * a.get("group", 1), w.shape[0], tuple(w.shape[2:]),
                                 stride=tuple(a.get("strides", [1, 1])), padding=tuple(a.get("pads", [0, 0, 0, 0])[:2]),
                                 dilation=tuple(a.get("dilations", [1, 1])), groups=a.get("group", 1), bias=b is not None)
                with torch.no_grad():
                    conv.weight.copy_(w)
                    if b is not None:
                        conv.bias.copy_(b)
                key = f"c{i}"
                self.convs[key] = conv
                self.steps.append(("Conv", key, [node.input[0]], node.output[0], a))
            elif op == "Slice":
                starts, ends, axes, steps = (int(inits[n][0]) for n in node.input[1:5])
                self.steps.append(("Slice", None, [node.input[0]], node.output[0], (starts, ends, axes, steps)))
            elif op in ("Sigmoid", "Mul", "Add", "Concat", "MaxPool"):
                self.steps.append((op, None, list(node.input), node.output[0], a))
            else:
                raise ValueError(f"unsupported op in the backbone: {op} ({node.name})")

    @staticmethod
    def _needed(graph, targets):
        producers = {o: i for i, n in enumerate(graph.node) for o in n.output}
        needed, stack = set(), list(targets)
        while stack:
            t = stack.pop()
            i = producers.get(t)
            if i is None or i in needed:
                continue
            needed.add(i)
            stack.extend(graph.node[i].input)
        return needed

    def forward(self, x):
        env = {self.input_name: x}
        for op, key, ins, out, a in self.steps:
            if op == "Conv":
                env[out] = self.convs[key](env[ins[0]])
            elif op == "Slice":
                starts, ends, axis, step = a
                t = env[ins[0]]
                idx = [slice(None)] * t.dim()
                idx[axis] = slice(starts, ends, step)
                env[out] = t[tuple(idx)]
            elif op == "Sigmoid":
                env[out] = torch.sigmoid(env[ins[0]])
            elif op == "Mul":
                env[out] = env[ins[0]] * env[ins[1]]
            elif op == "Add":
                env[out] = env[ins[0]] + env[ins[1]]
            elif op == "Concat":
                env[out] = torch.cat([env[n] for n in ins], dim=a["axis"])
            elif op == "MaxPool":
                k = a["kernel_shape"]
                env[out] = F.max_pool2d(env[ins[0]], kernel_size=tuple(k), stride=tuple(a.get("strides", [1, 1])),
                                        padding=tuple(a.get("pads", [0, 0, 0, 0])[:2]))
        return [env[o] for o in self.outputs]


class HelmetNet(nn.Module):
    """BGR 0-255 head crop [N,3,S,S] → P(helmet), P(no_helmet) [N,2]; logits divided by a
    calibration temperature before the softmax."""

    def __init__(self, onnx_path: str, dropout: float = 0.2, grid: int = 1):
        """grid: the features are averaged over grid x grid cells of the crop (1: one mean; 2: the
        four quarters kept apart, so the head looks different from the shoulders below it)."""
        super().__init__()
        self.backbone = OnnxBackbone(onnx_path)
        self.dropout = nn.Dropout(dropout)
        self.grid = grid
        self.fc = nn.Linear((128 + 256) * grid * grid, 2)
        self.register_buffer("temperature", torch.ones(1))

    def _pool(self, f):
        if self.grid == 1:
            return f.mean(dim=(2, 3))
        return torch.flatten(F.adaptive_avg_pool2d(f, self.grid), 1)

    def logits(self, x):
        d4, d5 = self.backbone(x)
        f = torch.cat([self._pool(d4), self._pool(d5)], dim=1)
        return self.fc(self.dropout(f))

    def forward(self, x):
        return torch.softmax(self.logits(x) / self.temperature, dim=1)


class HelmetEnsemble(nn.Module):
    """Members' logits averaged, then the calibration temperature and the softmax."""

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.register_buffer("temperature", torch.ones(1))

    def logits(self, x):
        return torch.stack([m.logits(x) for m in self.members]).mean(dim=0)

    def forward(self, x):
        return torch.softmax(self.logits(x) / self.temperature, dim=1)


class Mirrored(nn.Module):
    """A model's logits averaged over the crop and its mirror image (a rider's head looks the
    same mirrored), then the calibration temperature and the softmax. The mirror is a MatMul by
    an anti-diagonal permutation, which OpenCV's DNN reads (a negative-step Slice or a Gather of
    many indices it does not)."""

    def __init__(self, model, size):
        super().__init__()
        self.model = model
        self.register_buffer("flip", torch.eye(size).flip(1).contiguous())
        self.register_buffer("temperature", torch.ones(1))

    def logits(self, x):
        return (self.model.logits(x) + self.model.logits(torch.matmul(x, self.flip))) / 2

    def forward(self, x):
        return torch.softmax(self.logits(x) / self.temperature, dim=1)
