#!/usr/bin/env python3
"""Pre-trained-style backbone fixtures with reference features and gradients for @anneal/transfer.

Run with the Debian PyTorch (not the pyenv python first on PATH):

    /usr/bin/python3 tools/torch-refs/transfer_refs.py

For each model below this writes packages/transfer/fixtures/torch/<model>/:

    model.onnx  torch.onnx.export in eval mode (opset 17, TrainingMode.PRESERVE, no constant folding,
                input "x", output "logits", dynamic batch axis); initializers named like the state_dict
    x.npy       float32 [4, 3, 32, 32] input batch
    y.npy       int64 [4] class labels
    ref.json    feature tensor name, its dim and values, loss, gradients, blocks, op counts, notes

References are float64 on a double copy of the model (same weights, same float32 input values),
with BatchNorm in eval mode (running statistics), as when fine-tuning with frozen BatchNorm.
The ONNX reader, export and reference helpers come from model_refs.py beside this file.
"""
import copy
import json
import os
import sys
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_refs as mr  # noqa: E402  (sets torch threads to 1 on import)

OUT = os.path.join(mr.ROOT, "packages", "transfer", "fixtures", "torch")
BATCH, CLASSES = 4, 10
DIGITS = 9  # significant digits kept in ref.json (the float32 comparisons need ~5)


# ----------------------------------------------------------------------------------------------
# resnet-mini: torchvision ResNet naming (conv1/bn1, layer{i}.{j}.conv1/bn1/conv2/bn2/downsample, fc)
# ----------------------------------------------------------------------------------------------


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNetMini(nn.Module):
    """3x32x32: stem conv3x3(8) -> maxpool /2 -> layer1 (8, 16x16) -> layer2 (16, 8x8) -> layer3 (32, 4x4) -> fc."""

    def __init__(self, widths=(8, 16, 32), classes=CLASSES):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = widths[0]
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            setattr(self, f"layer{i + 1}", nn.Sequential(BasicBlock(cin, w, stride), BasicBlock(w, w, 1)))
            cin = w
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)

    def forward_features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer3(self.layer2(self.layer1(x)))
        return torch.flatten(self.avgpool(x), 1)

    def forward(self, x):
        return self.fc(self.forward_features(x))


# ----------------------------------------------------------------------------------------------
# mobilenetv3-mini: torchvision MobileNetV3 naming (features.{k}[.block.{i}], avgpool, classifier.{0,3})
# ----------------------------------------------------------------------------------------------


class ConvBNAct(nn.Sequential):
    """torchvision Conv2dNormActivation: <k>.0 conv (no bias), <k>.1 BatchNorm, <k>.2 activation."""

    def __init__(self, cin, cout, k, stride=1, groups=1, act=None):
        layers = [nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
        if act is not None:
            layers.append(act())
        super().__init__(*layers)


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, squeeze):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.activation = nn.ReLU()
        self.scale_activation = nn.Hardsigmoid()

    def forward(self, x):
        s = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return s * x


class InvertedResidual(nn.Module):
    def __init__(self, cin, expanded, cout, stride, se_squeeze, act):
        super().__init__()
        layers = []
        if expanded != cin:
            layers.append(ConvBNAct(cin, expanded, 1, act=act))
        layers.append(ConvBNAct(expanded, expanded, 3, stride, groups=expanded, act=act))
        if se_squeeze:
            layers.append(SqueezeExcitation(expanded, se_squeeze))
        layers.append(ConvBNAct(expanded, cout, 1))
        self.block = nn.Sequential(*layers)
        self.use_res_connect = stride == 1 and cin == cout

    def forward(self, x):
        out = self.block(x)
        return out + x if self.use_res_connect else out


# (in, expanded, out, stride, SE squeeze channels or 0, activation): 32 -> 16 -> 8 -> 4 -> 4 -> 2 -> 2
MOBILENET_BLOCKS = [
    (16, 16, 16, 2, 8, nn.ReLU),
    (16, 48, 24, 2, 0, nn.ReLU),
    (24, 64, 24, 1, 0, nn.ReLU),
    (24, 72, 32, 2, 24, nn.Hardswish),
    (32, 96, 32, 1, 24, nn.Hardswish),
]


class MobileNetV3Mini(nn.Module):
    def __init__(self, last=96, hidden=64, classes=CLASSES):
        super().__init__()
        layers = [ConvBNAct(3, 16, 3, 2, act=nn.Hardswish)]
        layers += [InvertedResidual(*cfg) for cfg in MOBILENET_BLOCKS]
        layers.append(ConvBNAct(MOBILENET_BLOCKS[-1][2], last, 1, act=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Linear(last, hidden), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(hidden, classes))

    def forward_features(self, x):
        return torch.flatten(self.avgpool(self.features(x)), 1)

    def forward(self, x):
        return self.classifier(self.forward_features(x))


# ----------------------------------------------------------------------------------------------
# Weights, references, fixture files
# ----------------------------------------------------------------------------------------------


def pretrain_like_batch_norm(model, gen):
    """Running stats near the real activation statistics (cumulative averages over random batches),
    then perturbed, and non-trivial affine parameters: inference-mode BatchNorm is not the identity,
    yet activations stay O(1) through the depth."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.weight.copy_(1.0 + 0.2 * torch.randn(m.weight.shape, generator=gen))
            m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            m.reset_running_stats()
            m.momentum = None
        model.train()
        for _ in range(4):
            model(torch.randn(8, 3, 32, 32, generator=gen))
        for m in bns:
            m.momentum = 0.1
            std = m.running_var.sqrt()
            m.running_mean.add_(0.2 * std * torch.randn(m.running_mean.shape, generator=gen))
            m.running_var.mul_(0.6 + 0.8 * torch.rand(m.running_var.shape, generator=gen))
            m.num_batches_tracked.zero_()
    model.eval()


def build(name, cls, seed, blocks, notes):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1000)
    model = cls()
    pretrain_like_batch_norm(model, gen)
    x = torch.randn(BATCH, 3, 32, 32, generator=gen)
    y = torch.randint(0, CLASSES, (BATCH,), generator=gen)
    return dict(name=name, model=model, train=False, x=x, y=y, input_grad=False, blocks=blocks, notes=notes)


def resnet_spec():
    blocks = ["conv1", "bn1"] + [f"layer{i}.{j}" for i in (1, 2, 3) for j in (0, 1)] + ["fc"]
    notes = ("torchvision-style ResNet with BasicBlocks, widths 8/16/32: conv1 3x3 (no bias) -> bn1 -> ReLU -> "
             "MaxPool(3, stride 2, pad 1) -> layer1 (8, 16x16) -> layer2 (16, 8x8; layer2.0 stride 2 with "
             "downsample.0 1x1 conv + downsample.1 BN) -> layer3 (32, 4x4; layer3.0 likewise) -> AdaptiveAvgPool(1) "
             "(GlobalAveragePool) -> flatten -> fc Linear(32, 10) (Gemm).")
    return build("resnet-mini", ResNetMini, 2024, blocks, notes)


def mobilenet_spec():
    blocks = [f"features.{k}" for k in range(len(MOBILENET_BLOCKS) + 2)] + ["classifier.0", "classifier.3"]
    desc = "; ".join(f"features.{k + 1}: {i}->{e}->{o} stride {s}{f' SE({e}->{q}->{e})' if q else ''} "
                     f"{a.__name__}{' + residual' if s == 1 and i == o else ''}"
                     for k, (i, e, o, s, q, a) in enumerate(MOBILENET_BLOCKS))
    notes = ("torchvision-style MobileNetV3: features.0 conv3x3 stride 2 (3->16) -> BN -> Hardswish; inverted residual "
             "blocks features.k.block.* (expand 1x1 conv-BN-act when expanded != in, depthwise 3x3 conv-BN-act "
             "(groups = channels), squeeze-excitation (GlobalAveragePool -> fc1 1x1 conv -> ReLU -> fc2 1x1 conv -> "
             f"HardSigmoid -> Mul), project 1x1 conv-BN): {desc}; features.6: 1x1 conv 32->96 -> BN -> Hardswish; "
             "avgpool (GlobalAveragePool) -> flatten -> classifier.0 Linear(96, 64) -> Hardswish -> Dropout(0.2) "
             "(eval mode: not exported) -> classifier.3 Linear(64, 10).")
    return build("mobilenetv3-mini", MobileNetV3Mini, 3033, blocks, notes)


REQUIRED_OPS = {"Conv", "BatchNormalization", "Relu", "HardSwish", "HardSigmoid", "Mul", "Add", "Gemm"}


def check_graph(spec, graph):
    """Initializers match the state_dict; BN is in inference mode; returns the feature tensor name."""
    name, model = spec["name"], spec["model"]
    state = model.state_dict()
    inits = {t["name"]: mr.tensor_array(t) for t in graph["initializers"]}
    params = [n for n, _ in model.named_parameters()]
    problems = [f"parameter {p} has no initializer" for p in params if p not in inits]
    for n, arr in inits.items():
        if n in state and (arr is None or not np.array_equal(arr, state[n].numpy())):
            problems.append(f"initializer {n} differs from the state_dict")
    for node in graph["nodes"]:
        if node["op_type"] == "BatchNormalization" and node["attrs"].get("training_mode", {}).get("i", 0) != 0:
            problems.append(f"{node['name']}: training_mode=1")
        if node["op_type"] == "Dropout":
            problems.append(f"{node['name']}: Dropout node exported")
    head_weight = "fc.weight" if "fc.weight" in params else "classifier.0.weight"
    producers = {o: n for n in graph["nodes"] for o in n["output"]}
    gemm = [n for n in graph["nodes"] if n["op_type"] == "Gemm" and n["input"][1] == head_weight]
    feature = gemm[0]["input"][0] if gemm else None
    flatten = producers.get(feature)
    if not flatten or flatten["op_type"] != "Flatten" or producers[flatten["input"][0]]["op_type"] != "GlobalAveragePool":
        problems.append(f"the input of the Gemm on {head_weight} is not Flatten(GlobalAveragePool(...))")
    if problems:
        raise SystemExit(f"{name}: graph check failed: {problems}")
    return feature


def rounded(t):
    return [float(f"{v:.{DIGITS}g}") for v in t.detach().reshape(-1).tolist()]


def generate(spec):
    name = spec["name"]
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    onnx_path = os.path.join(folder, "model.onnx")
    mr.export(spec, onnx_path)
    graph = mr.parse_model(onnx_path)
    feature = check_graph(spec, graph)
    np.save(os.path.join(folder, "x.npy"), np.ascontiguousarray(spec["x"].numpy().astype(np.float32)))
    np.save(os.path.join(folder, "y.npy"), np.ascontiguousarray(spec["y"].numpy().astype(np.int64)))

    loss, _, grads, _ = mr.reference(spec)
    double = copy.deepcopy(spec["model"]).double().eval()
    with torch.no_grad():
        features = double.forward_features(spec["x"].double())
    loss32, g32 = mr.float32_check(spec)
    scale = max(float(g.abs().max()) for g in grads.values())
    worst = max(float((g32[n].double() - g).abs().max()) for n, g in grads.items()) / scale

    ops = Counter(n["op_type"] for n in graph["nodes"])
    grouped = sum(1 for n in graph["nodes"] if n["op_type"] == "Conv" and n["attrs"].get("group", {}).get("i", 1) > 1)
    notes = (spec["notes"] + f" Random weights (seeded); BatchNorm running statistics calibrated on random batches, "
             f"then perturbed; BN affine parameters perturbed. Generated by tools/torch-refs/transfer_refs.py with "
             f"torch {torch.__version__}, opset {mr.OPSET}, eval mode, TrainingMode.PRESERVE, do_constant_folding=False. "
             f"Loss, features and gradients are float64 on a double copy of the model (eval-mode BatchNorm, running "
             f"statistics), rounded to {DIGITS} significant digits; float32 torch run: loss {float(loss32):.9g}, "
             f"max |grad32 - grad64| / max |grad64| = {worst:.1e}. {grouped} grouped Conv nodes.")
    ref = {
        "feature": feature,
        "featureDim": int(features.shape[1]),
        "features": rounded(features),
        "loss": float(loss),
        "lossKind": "cross-entropy",
        "gradients": {n: rounded(g) for n, g in grads.items()},
        "blocks": spec["blocks"],
        "ops": dict(sorted(ops.items())),
        "notes": notes,
    }
    mr.write_json(os.path.join(folder, "ref.json"), ref)
    sizes = {f: os.path.getsize(os.path.join(folder, f)) for f in sorted(os.listdir(folder))}
    return dict(name=name, graph=graph, ops=ops, grouped=grouped, feature=feature, dim=ref["featureDim"],
                loss=float(loss), worst=worst, sizes=sizes, params=len(grads),
                count=sum(g.numel() for g in grads.values()))


def main():
    results = [generate(s) for s in (resnet_spec(), mobilenet_spec())]
    total = 0
    for r in results:
        print(f"== {r['name']}  loss={r['loss']:.12g}  max |grad32-grad64|/max|grad64| = {r['worst']:.1e}")
        print(f"   opsets {r['graph']['opsets']}; feature '{r['feature']}' dim {r['dim']}; "
              f"{r['params']} parameter tensors, {r['count']} values; {r['grouped']} grouped Conv")
        print("   ops: " + ", ".join(f"{op}x{c}" for op, c in sorted(r["ops"].items())))
        print(f"   files: {r['sizes']}")
        total += sum(r["sizes"].values())
    missing = REQUIRED_OPS - set().union(*(r["ops"] for r in results))
    if missing or not any(r["grouped"] for r in results):
        raise SystemExit(f"exported graphs lack required ops: {sorted(missing)} (grouped Conv present: "
                         f"{any(r['grouped'] for r in results)})")
    print(f"total fixture size {total} bytes")


if __name__ == "__main__":
    main()
