#!/usr/bin/env python3
"""PyTorch reference trajectories for @anneal/optim parity tests.

Run with the Debian PyTorch:  /usr/bin/python3 tools/torch-refs/optim_refs.py
Writes packages/optim/fixtures/torch-optim.json.

Three small parameters and a fixed, seeded sequence of K gradients (data, independent of the
parameters) are generated in float32 (so the float32 ONNX graphs see exactly the same inputs),
then every optimizer runs in float64. For each case the parameters after every step, the
clip_grad_norm_ total norm (when clipping) and the optimizer state after the last step are kept.
"""
import json
import os

import torch

K = 6
SHAPES = {"w": [3, 4], "b": [4], "k": [2, 2, 3]}
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "optim", "fixtures", "torch-optim.json")


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


gen = torch.Generator().manual_seed(20240607)
init = {n: torch.randn(s, generator=gen, dtype=torch.float32) for n, s in SHAPES.items()}
grads = [{n: torch.randn(s, generator=gen, dtype=torch.float32) * (0.5 + 0.25 * k) for n, s in SHAPES.items()} for k in range(K)]

# Each case: optimizer class and kwargs, optional groups ({name, params, lr, weight_decay}), optional max_norm.
CASES = [
    {"name": "sgd_plain", "optimizer": "sgd", "options": {"lr": 0.1}},
    {"name": "sgd_momentum_dampening", "optimizer": "sgd", "options": {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}},
    {"name": "sgd_nesterov", "optimizer": "sgd", "options": {"lr": 0.1, "momentum": 0.9, "nesterov": True}},
    {"name": "sgd_weight_decay", "optimizer": "sgd", "options": {"lr": 0.1, "weight_decay": 0.01}},
    {"name": "sgd_momentum_weight_decay", "optimizer": "sgd", "options": {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}},
    {"name": "adam_plain", "optimizer": "adam", "options": {"lr": 0.01}},
    {"name": "adam_weight_decay", "optimizer": "adam", "options": {"lr": 0.01, "weight_decay": 0.01}},
    {"name": "adam_amsgrad", "optimizer": "adam", "options": {"lr": 0.01, "amsgrad": True, "betas": [0.8, 0.9]}},
    {"name": "adamw", "optimizer": "adamw", "options": {"lr": 0.01, "weight_decay": 0.05}},
    {
        "name": "sgd_groups",
        "optimizer": "sgd",
        "options": {"lr": 0.1, "momentum": 0.9},
        "groups": [
            {"name": "main", "params": ["w", "k"], "lr": 0.1, "weight_decay": 0.01},
            {"name": "bias", "params": ["b"], "lr": 0.02, "weight_decay": 0.0},
        ],
    },
    {
        "name": "adamw_groups",
        "optimizer": "adamw",
        "options": {"lr": 0.01},
        "groups": [
            {"name": "main", "params": ["w", "k"], "lr": 0.01, "weight_decay": 0.05},
            {"name": "bias", "params": ["b"], "lr": 0.003, "weight_decay": 0.0},
        ],
    },
    {"name": "sgd_momentum_clip", "optimizer": "sgd", "options": {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}, "max_norm": 0.5},
    {"name": "adam_clip", "optimizer": "adam", "options": {"lr": 0.01, "weight_decay": 0.01}, "max_norm": 0.5},
]

CLASSES = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


def run(case):
    params = {n: torch.nn.Parameter(t.clone().double()) for n, t in init.items()}
    opts = dict(case["options"])
    if "betas" in opts:
        opts["betas"] = tuple(opts["betas"])
    if case["optimizer"] == "adamw":
        opts.setdefault("weight_decay", 0.0)
    if "groups" in case:
        groups = [{"params": [params[n] for n in g["params"]], "lr": g["lr"], "weight_decay": g["weight_decay"]} for g in case["groups"]]
    else:
        groups = list(params.values())
    opt = CLASSES[case["optimizer"]](groups, **opts)
    steps = []
    for k in range(K):
        for n, p in params.items():
            p.grad = grads[k][n].clone().double()
        record = {}
        if "max_norm" in case:
            total = torch.nn.utils.clip_grad_norm_(list(params.values()), case["max_norm"])
            record["total_norm"] = float(total)
        opt.step()
        record["params"] = {n: flat(p) for n, p in params.items()}
        steps.append(record)
    state = {}
    for n, p in params.items():
        for slot, v in opt.state[p].items():
            if slot == "step" or v is None:
                continue
            state.setdefault(slot, {})[n] = flat(v)
    out = {k: v for k, v in case.items()}
    out["steps"] = steps
    out["final_state"] = state
    return out


fixture = {
    "generator": "tools/torch-refs/optim_refs.py",
    "torch": torch.__version__,
    "dtype": "float64 (inputs generated in float32)",
    "steps": K,
    "shapes": SHAPES,
    "init": {n: flat(t) for n, t in init.items()},
    "grads": [{n: flat(t) for n, t in g.items()} for g in grads],
    "cases": [run(c) for c in CASES],
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(fixture, f, separators=(",", ":"))
print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes, {len(CASES)} cases)")
