#!/usr/bin/env python3
"""Whole-model gradient references for @anneal/autograd parity tests.

Run with the Debian PyTorch (not the pyenv python first on PATH):

    /usr/bin/python3 tools/torch-refs/model_refs.py

For every model below this writes packages/autograd/fixtures/torch/<model>/:

    model.onnx  torch.onnx.export, opset 17, no constant folding, input "x", output "logits",
                dynamic batch axis; parameters are initializers named like the state_dict
    x.npy       the input batch (float32, or int64 token ids for the transformer)
    y.npy       int64 class labels
    ref.json    {"loss", "lossKind", "gradients", "inputGradient", "notes"[, "initializerMap"]}

The loss is the mean softmax cross-entropy of logits against y. Reference loss and gradients are
computed in float64 on a double copy of the model (same weights, same float32 input values).
The python `onnx` package is not needed: the exported protobuf is read back with a minimal
decoder below to list op types, check initializer names/values and inspect BatchNormalization.
"""
import copy
import io
import json
import math
import os
import struct
import sys
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OPSET = 17
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "packages", "autograd", "fixtures", "torch")

torch.set_num_threads(1)


# ----------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 32)
        self.norm = nn.LayerNorm(32)
        self.fc2 = nn.Linear(32, 16)
        self.fc3 = nn.Linear(16, 5)

    def forward(self, x):
        h = F.gelu(self.norm(self.fc1(x)), approximate="none")
        h = torch.tanh(self.fc2(h))
        return self.fc3(h)


class SmallCnn(nn.Module):
    """3x16x16 -> 4 classes; spatial 16 -> 16 -> 8 -> 4 -> 4 -> 2 -> 2 -> 1."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2)
        self.act2 = nn.ReLU6()
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.act3 = nn.Hardswish()
        self.pool2 = nn.AvgPool2d(2)
        self.pw = nn.Conv2d(8, 16, 1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        h = self.pool1(torch.relu(self.bn1(self.conv1(x))))
        h = self.act2(self.conv2(h))
        h = self.pool2(self.act3(self.dw(h)))
        h = self.pw(h)
        h = h * torch.sigmoid(h)  # SiLU written out: Sigmoid + Mul
        h = torch.flatten(self.gap(h), 1)
        return self.fc(h)


class SelfAttention(nn.Module):
    def __init__(self, dim, heads, tokens):
        super().__init__()
        self.heads, self.head_dim, self.tokens = heads, dim // heads, tokens
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def split(self, t):  # [B, T, D] -> [B, H, T, Dh]; -1 keeps the batch axis free of Shape ops
        return t.reshape(-1, self.tokens, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, h):
        q, k, v = self.split(self.q(h)), self.split(self.k(h)), self.split(self.v(h))
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        attn = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(attn, v).transpose(1, 2).reshape(-1, self.tokens, self.heads * self.head_dim)
        return self.out(ctx)


class TinyTransformer(nn.Module):
    def __init__(self, vocab=50, dim=16, tokens=6, heads=2, hidden=32, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(tokens, dim) * 0.1)
        self.ln1 = nn.LayerNorm(dim)
        self.attn = SelfAttention(dim, heads, tokens)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp_in = nn.Linear(dim, hidden)
        self.mlp_out = nn.Linear(hidden, dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        h = self.embed(x) + self.pos
        h = h + self.attn(self.ln1(h))
        h = h + self.mlp_out(F.gelu(self.mlp_in(self.ln2(h)), approximate="none"))
        return self.head(h.mean(dim=1))


def perturb_norms(model, gen):
    """Non-trivial affine parameters (and BatchNorm running stats) so their gradients are distinctive."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.LayerNorm, nn.BatchNorm2d)):
                m.weight.copy_(1.0 + 0.2 * torch.randn(m.weight.shape, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(0.3 * torch.randn(m.running_mean.shape, generator=gen))
                m.running_var.copy_(0.5 + 1.5 * torch.rand(m.running_var.shape, generator=gen))


def build_mlp():
    torch.manual_seed(101)
    gen = torch.Generator().manual_seed(1101)
    model = Mlp()
    perturb_norms(model, gen)
    x = torch.randn(6, 20, generator=gen)
    y = torch.randint(0, 5, (6,), generator=gen)
    return dict(name="mlp", model=model, train=False, x=x, y=y, input_grad=True,
                notes="Linear(20,32) -> LayerNorm(32) -> GELU (exact, erf) -> Linear(32,16) -> Tanh -> Linear(16,5). "
                      "Exported in eval mode with TrainingMode.PRESERVE.")


def build_cnn(name, seed, train):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1000)
    model = SmallCnn()
    perturb_norms(model, gen)
    x = torch.randn(4, 3, 16, 16, generator=gen)
    y = torch.randint(0, 4, (4,), generator=gen)
    arch = ("Conv(3->8,3x3,pad1) -> BatchNorm2d -> ReLU -> MaxPool(2) -> Conv(8->8,3x3,stride2,pad1,groups2) -> ReLU6 "
            "-> depthwise Conv(8,3x3,pad1,groups8) -> HardSwish -> AvgPool(2) -> Conv1x1(8->16) -> x*Sigmoid(x) "
            "-> GlobalAveragePool -> Flatten -> Linear(16,4).")
    return dict(name=name, model=model, train=train, x=x, y=y, input_grad=True, notes=arch)


def build_transformer():
    torch.manual_seed(404)
    gen = torch.Generator().manual_seed(1404)
    model = TinyTransformer()
    perturb_norms(model, gen)
    x = torch.randint(0, 50, (5, 6), generator=gen, dtype=torch.int64)
    y = torch.randint(0, 3, (5,), generator=gen)
    return dict(name="transformer", model=model, train=False, x=x, y=y, input_grad=False,
                notes="Token Embedding(50,16) (Gather on int64 ids [B,6]) + learned positional parameter 'pos' [6,16]; "
                      "pre-LN block: LayerNorm -> 2-head self-attention (q/k/v Linear, MatMul(q, k^T)/sqrt(8), Softmax, "
                      "MatMul with v, output Linear) + residual; LayerNorm -> Linear(16,32) -> GELU (exact) -> Linear(32,16) "
                      "+ residual; mean over tokens (ReduceMean) -> Linear(16,3). Exported in eval mode with "
                      "TrainingMode.PRESERVE. inputGradient is null (integer input).")


# ----------------------------------------------------------------------------------------------
# Minimal ONNX protobuf reader (only the fields needed here)
# ----------------------------------------------------------------------------------------------


def read_varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(buf):
    """Yield (field_number, wire_type, value) for one message; length-delimited values are bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, pos = read_varint(buf, pos)
        elif wire == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = read_varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield num, wire, val


def packed_varints(wire, val):
    if wire == 0:
        return [val]
    out, pos = [], 0
    while pos < len(val):
        v, pos = read_varint(val, pos)
        out.append(v)
    return out


def signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


ONNX_DTYPES = {1: np.float32, 6: np.int32, 7: np.int64, 11: np.float64, 9: np.bool_}


def parse_tensor(buf):
    t = {"dims": [], "data_type": 0, "name": "", "raw": None, "float_data": [], "int64_data": []}
    for num, wire, val in fields(buf):
        if num == 1:
            t["dims"] += [signed64(v) for v in packed_varints(wire, val)]
        elif num == 2:
            t["data_type"] = val
        elif num == 8:
            t["name"] = val.decode()
        elif num == 9:
            t["raw"] = val
        elif num == 4:
            t["float_data"] += list(struct.unpack(f"<{len(val) // 4}f", val)) if wire == 2 else [struct.unpack("<f", val)[0]]
        elif num == 7:
            t["int64_data"] += [signed64(v) for v in packed_varints(wire, val)]
    return t


def tensor_array(t):
    dtype = ONNX_DTYPES.get(t["data_type"])
    if dtype is None:
        return None
    if t["raw"] is not None:
        arr = np.frombuffer(t["raw"], dtype=np.dtype(dtype).newbyteorder("<"))
    elif t["float_data"]:
        arr = np.array(t["float_data"], dtype=dtype)
    else:
        arr = np.array(t["int64_data"], dtype=dtype)
    return arr.reshape(t["dims"])


def parse_attribute(buf):
    a = {"name": "", "type": 0}
    for num, wire, val in fields(buf):
        if num == 1:
            a["name"] = val.decode()
        elif num == 2:
            a["f"] = struct.unpack("<f", val)[0]
        elif num == 3:
            a["i"] = signed64(val)
        elif num == 4:
            a["s"] = val.decode(errors="replace")
        elif num == 5:
            a["t"] = parse_tensor(val)
        elif num == 8:
            a.setdefault("ints", []).extend(signed64(v) for v in packed_varints(wire, val))
        elif num == 20:
            a["type"] = val
    return a


def parse_node(buf):
    n = {"input": [], "output": [], "name": "", "op_type": "", "domain": "", "attrs": {}}
    for num, _, val in fields(buf):
        if num == 1:
            n["input"].append(val.decode())
        elif num == 2:
            n["output"].append(val.decode())
        elif num == 3:
            n["name"] = val.decode()
        elif num == 4:
            n["op_type"] = val.decode()
        elif num == 7:
            n["domain"] = val.decode()
        elif num == 5:
            a = parse_attribute(val)
            n["attrs"][a["name"]] = a
    return n


def parse_value_info(buf):
    name, elem, dims = "", 0, []
    for num, _, val in fields(buf):
        if num == 1:
            name = val.decode()
        elif num == 2:  # TypeProto
            for tn, _, tv in fields(val):
                if tn == 1:  # tensor_type
                    for sn, _, sv in fields(tv):
                        if sn == 1:
                            elem = sv
                        elif sn == 2:  # TensorShapeProto
                            for dn, _, dv in fields(sv):
                                if dn == 1:
                                    d = None
                                    for fn, _, fv in fields(dv):
                                        d = signed64(fv) if fn == 1 else fv.decode()
                                    dims.append(d)
    return {"name": name, "elem_type": elem, "dims": dims}


def parse_model(path):
    with open(path, "rb") as f:
        buf = f.read()
    model = {"opsets": {}, "nodes": [], "initializers": [], "inputs": [], "outputs": []}
    for num, _, val in fields(buf):
        if num == 8:  # OperatorSetIdProto
            domain, version = "", 0
            for on, _, ov in fields(val):
                if on == 1:
                    domain = ov.decode()
                elif on == 2:
                    version = ov
            model["opsets"][domain] = version
        elif num == 7:  # GraphProto
            for gn, _, gv in fields(val):
                if gn == 1:
                    model["nodes"].append(parse_node(gv))
                elif gn == 5:
                    model["initializers"].append(parse_tensor(gv))
                elif gn == 11:
                    model["inputs"].append(parse_value_info(gv))
                elif gn == 12:
                    model["outputs"].append(parse_value_info(gv))
    return model


def attr_value(a):
    for key in ("i", "f", "s", "ints"):
        if key in a:
            return a[key]
    return "<tensor>" if "t" in a else None


# ----------------------------------------------------------------------------------------------
# Export, reference gradients, fixture writing
# ----------------------------------------------------------------------------------------------


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensor_json(t):
    return {"shape": list(t.shape), "data": flat(t)}


def export(spec, path):
    model = copy.deepcopy(spec["model"])  # tracing a train-mode model updates BN running stats; keep the original intact
    model.train(spec["train"])
    mode = torch.onnx.TrainingMode.TRAINING if spec["train"] else torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(
        model,
        (spec["x"],),
        path,
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=False,
        training=mode,
        input_names=["x"],
        output_names=["logits"],
        dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
    )
    return model


def reference(spec):
    model = copy.deepcopy(spec["model"]).double()
    model.train(spec["train"])
    x = spec["x"].double() if spec["x"].is_floating_point() else spec["x"].clone()
    if spec["input_grad"]:
        x.requires_grad_(True)
    logits = model(x)
    loss = F.cross_entropy(logits, spec["y"])
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad and p.is_floating_point()]
    grads = torch.autograd.grad(loss, [p for _, p in params] + ([x] if spec["input_grad"] else []))
    param_grads = {n: g for (n, _), g in zip(params, grads)}
    input_grad = grads[len(params)] if spec["input_grad"] else None
    return loss, logits, param_grads, input_grad


def float32_check(spec):
    """Same computation in float32: a large disagreement would mean an input sits on a kink (ReLU/Clip/MaxPool)."""
    model = copy.deepcopy(spec["model"])
    model.train(spec["train"])
    logits = model(spec["x"])
    loss = F.cross_entropy(logits, spec["y"])
    names = [n for n, p in model.named_parameters()]
    grads = torch.autograd.grad(loss, [p for p in model.parameters()])
    return loss, dict(zip(names, grads))


def write_json(path, obj):
    """Compact JSON, one gradient entry per line so diffs stay readable."""
    with open(path, "w") as f:
        f.write("{\n")
        keys = list(obj.keys())
        for i, k in enumerate(keys):
            v = obj[k]
            end = ",\n" if i < len(keys) - 1 else "\n"
            if k == "gradients":
                f.write(f"  {json.dumps(k)}: {{\n")
                gk = list(v.keys())
                for j, name in enumerate(gk):
                    sep = "," if j < len(gk) - 1 else ""
                    f.write(f"    {json.dumps(name)}: {json.dumps(v[name], separators=(',', ':'))}{sep}\n")
                f.write("  }" + end)
            else:
                f.write(f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}{end}")
        f.write("}\n")


def generate(spec):
    name = spec["name"]
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    onnx_path = os.path.join(folder, "model.onnx")

    export(spec, onnx_path)
    graph = parse_model(onnx_path)

    x_np = spec["x"].numpy()
    x_np = x_np.astype(np.float32) if x_np.dtype.kind == "f" else x_np.astype(np.int64)
    np.save(os.path.join(folder, "x.npy"), np.ascontiguousarray(x_np))
    np.save(os.path.join(folder, "y.npy"), np.ascontiguousarray(spec["y"].numpy().astype(np.int64)))

    # --- initializers vs state_dict
    state = spec["model"].state_dict()
    inits = {t["name"]: t for t in graph["initializers"]}
    param_names = [n for n, p in spec["model"].named_parameters() if p.requires_grad and p.is_floating_point()]
    mapping, problems = {}, []
    for init_name, t in inits.items():
        arr = tensor_array(t)
        if init_name in state:
            ref = state[init_name].numpy()
            if arr is None or list(arr.shape) != list(ref.shape):
                problems.append(f"{init_name}: shape {None if arr is None else list(arr.shape)} vs {list(ref.shape)}")
            elif not np.array_equal(arr, ref) and not (spec["train"] and ".running_" in init_name):
                problems.append(f"{init_name}: values differ from state_dict")
            continue
        # Not a state_dict name: find the parameter with identical contents.
        match = [k for k, v in state.items() if arr is not None and list(v.shape) == list(arr.shape)
                 and np.array_equal(v.numpy(), arr)]
        if match:
            mapping[init_name] = match[0]
    missing = [n for n in param_names if n not in inits and n not in mapping.values()]
    if missing:
        problems.append(f"parameters without an initializer: {missing}")
    if problems:
        raise SystemExit(f"{name}: initializer check failed: {problems}")
    reverse = {v: k for k, v in mapping.items()}

    # --- reference
    loss, logits, pgrads, igrad = reference(spec)
    loss32, g32 = float32_check(spec)
    scale = max(float(g.abs().max()) for g in pgrads.values())
    worst = max(float((g32[n].double() - g).abs().max()) for n, g in pgrads.items()) / scale
    zero = [n for n, g in pgrads.items() if float(g.abs().max()) < 1e-12 * scale]

    ops = Counter(n["op_type"] for n in graph["nodes"])
    bn_nodes = [n for n in graph["nodes"] if n["op_type"] == "BatchNormalization"]
    notes = spec["notes"]
    notes += (f" Generated by tools/torch-refs/model_refs.py with torch {torch.__version__}, opset {OPSET}, "
              f"do_constant_folding=False; reference loss/gradients in float64 on a double copy of the model "
              f"(float32 run: loss {float(loss32):.9g}, max |grad32 - grad64| / max |grad64| = {worst:.1e}).")
    if zero:
        notes += (f" Gradients that are mathematically zero (float64 values are rounding noise ~1e-17, compare with "
                  f"an absolute tolerance): {', '.join(zero)}.")
        if "attn.k.bias" in zero:
            notes += " attn.k.bias: softmax over keys is invariant to q.b_k, which is constant along the key axis."
        if "conv1.bias" in zero:
            notes += " conv1.bias: a per-channel constant before train-mode BatchNorm is removed by the batch mean."
    if spec["train"]:
        bn_desc = []
        for n in bn_nodes:
            attrs = ", ".join(f"{k}={attr_value(a)}" for k, a in n["attrs"].items())
            bn_desc.append(f"{n['name'] or 'BatchNormalization'}: {len(n['input'])} inputs {n['input']}, "
                           f"{len(n['output'])} outputs {n['output']}, attributes {attrs}")
        notes += (" Exported with TrainingMode.TRAINING from model.train(): BatchNormalization normalizes with the batch "
                  "mean and biased batch variance (as torch does in train mode) and the reference is computed in train "
                  "mode. " + "; ".join(bn_desc) + ". Extra outputs are the updated running mean/var "
                  "(running = momentum*running + (1-momentum)*batch, ONNX momentum = 1 - torch momentum); they are not "
                  "graph outputs. Running-stat initializers in model.onnx hold the values after the export trace's "
                  "forward pass (one momentum update away from the pre-export values); they do not affect logits or "
                  "gradients in training mode. Beware: torch updates running_var with the unbiased batch variance, the "
                  "ONNX spec with the biased one. num_batches_tracked is not exported (its in-place increment is "
                  "dropped by the exporter).")
    if "Pad" in Counter(n["op_type"] for n in graph["nodes"]):
        notes += (" The exporter emits AvgPool2d as Pad (constant mode, all-zero int64 pads from a Constant node) "
                  "followed by AveragePool with pads [0,0,0,0].")
    if not spec["train"] and bn_nodes:
        notes += (" BatchNormalization stays a node (not folded into Conv) and uses the running stats stored as "
                  "initializers bn1.running_mean / bn1.running_var (buffers, not parameters: no gradient).")

    ref = {
        "loss": float(loss),
        "lossKind": "cross-entropy",
        "gradients": {reverse.get(n, n): tensor_json(g) for n, g in pgrads.items()},
        "inputGradient": tensor_json(igrad) if igrad is not None else None,
        "notes": notes,
    }
    if mapping:
        ref["initializerMap"] = mapping  # ONNX initializer name -> state_dict name
    write_json(os.path.join(folder, "ref.json"), ref)

    sizes = {f: os.path.getsize(os.path.join(folder, f)) for f in sorted(os.listdir(folder))}
    return dict(name=name, graph=graph, ops=ops, bn_nodes=bn_nodes, mapping=mapping, inits=list(inits),
                state=list(state.keys()), params=param_names, sizes=sizes, loss=float(loss), worst=worst)


def summary(r):
    g = r["graph"]
    print(f"== {r['name']}  loss={r['loss']:.12g}  max |grad32-grad64|/max|grad64| = {r['worst']:.1e}")
    print(f"   opsets: {g['opsets']}")
    for v in g["inputs"] + g["outputs"]:
        print(f"   io {v['name']}: elem_type {v['elem_type']} dims {v['dims']}")
    print("   ops: " + ", ".join(f"{op}x{c}" if c > 1 else op for op, c in sorted(r["ops"].items())))
    print(f"   initializers ({len(r['inits'])}): {r['inits']}")
    not_init = [s for s in r["state"] if s not in r["inits"] and s not in r["mapping"].values()]
    print(f"   state_dict entries not exported: {not_init or 'none'}; name mapping: {r['mapping'] or 'identity'}")
    for n in r["bn_nodes"]:
        attrs = {k: attr_value(a) for k, a in n["attrs"].items()}
        print(f"   BatchNormalization {n['name']}: in={n['input']} out={n['output']} attrs={attrs}")
    total = sum(r["sizes"].values())
    print(f"   files: {r['sizes']}  total {total} bytes")


def main():
    specs = [
        build_mlp(),
        build_cnn("cnn-eval", 202, train=False),
        build_cnn("cnn-train", 303, train=True),
        build_transformer(),
    ]
    results = [generate(s) for s in specs]
    for r in results:
        summary(r)


if __name__ == "__main__":
    main()
