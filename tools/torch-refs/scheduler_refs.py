#!/usr/bin/env python3
"""PyTorch reference learning-rate tables for @anneal/schedulers and the example plugin.

Run with the Debian PyTorch:  /usr/bin/python3 tools/torch-refs/scheduler_refs.py
Writes packages/schedulers/fixtures/torch-schedules.json and
packages/scheduler-plugin-example/fixtures/torch-cyclic.json.

Each scheduler drives a dummy SGD optimizer (one parameter) for `steps` steps. Entry t of `lr` is
the learning rate the optimizer uses for step t (0-based), i.e. the lr after t calls of
scheduler.step(). Where torch has a closed form (`_get_closed_form_lr`) it is recorded as well in
`closedForm`: torch's chainable step() computes lr(t) recursively from lr(t-1), which drifts from
the closed form by rounding (CosineAnnealingLR, LinearLR, PolynomialLR). The TS spec compares
against `closedForm` when present, else against `lr`.

ReduceLROnPlateau cases feed a fixed metric sequence: `lr[e]` is the lr after step(metrics[e]),
i.e. the lr in force for epoch e + 1.
"""
import json
import math
import os
import warnings

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "packages", "schedulers", "fixtures", "torch-schedules.json")
OUT_CYCLIC = os.path.join(ROOT, "packages", "scheduler-plugin-example", "fixtures", "torch-cyclic.json")


def optimizer(lr):
    return SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def run(make, base, steps, closed_form=True):
    """Builds the scheduler with `make(opt)` and records lr (and the closed form) for `steps` steps."""
    opt = optimizer(base)
    sched = make(opt)
    lrs, closed = [], []
    for t in range(steps):
        lrs.append(float(opt.param_groups[0]["lr"]))
        if closed_form and hasattr(sched, "_get_closed_form_lr"):
            closed.append(float(sched._get_closed_form_lr()[0]))
        opt.step()
        sched.step()
    out = {"lr": lrs}
    if closed:
        out["closedForm"] = closed
    return out


def case(name, torch_name, base, steps, options, make, closed_form=True, note=None):
    entry = {"name": name, "torch": torch_name, "base": base, "steps": steps, "options": options}
    if note:
        entry["note"] = note
    entry.update(run(make, base, steps, closed_form))
    return entry


def inverse_sqrt(warmup):
    # Normalised transformer schedule with s = t + 1 optimizer updates done after this step.
    return lambda t: min((t + 1) / warmup, math.sqrt(warmup / (t + 1)))


CASES = [
    case("step_lr", "StepLR", 0.1, 60, {"step_size": 7, "gamma": 0.5}, lambda o: S.StepLR(o, 7, 0.5)),
    case("step_lr_size1", "StepLR", 1.0, 30, {"step_size": 1, "gamma": 0.9}, lambda o: S.StepLR(o, 1, 0.9)),
    case("multi_step_lr", "MultiStepLR", 0.1, 80, {"milestones": [10, 25, 60], "gamma": 0.1},
         lambda o: S.MultiStepLR(o, [10, 25, 60], 0.1)),
    case("exponential_lr", "ExponentialLR", 0.05, 100, {"gamma": 0.97}, lambda o: S.ExponentialLR(o, 0.97)),
    case("cosine_lr", "CosineAnnealingLR", 0.1, 120, {"T_max": 50, "eta_min": 0.001},
         lambda o: S.CosineAnnealingLR(o, 50, 0.001),
         note="runs past T_max: the closed form keeps oscillating with period 2*T_max"),
    case("cosine_lr_zero_min", "CosineAnnealingLR", 1.0, 64, {"T_max": 64, "eta_min": 0.0},
         lambda o: S.CosineAnnealingLR(o, 64)),
    case("cosine_warm_restarts", "CosineAnnealingWarmRestarts", 0.1, 100, {"T_0": 10, "T_mult": 1, "eta_min": 0.0},
         lambda o: S.CosineAnnealingWarmRestarts(o, 10, 1, 0.0)),
    case("cosine_warm_restarts_mult2", "CosineAnnealingWarmRestarts", 0.1, 160, {"T_0": 5, "T_mult": 2, "eta_min": 0.002},
         lambda o: S.CosineAnnealingWarmRestarts(o, 5, 2, 0.002)),
    case("linear_lr_warmup", "LinearLR", 0.1, 40, {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 20},
         lambda o: S.LinearLR(o, 0.1, 1.0, 20)),
    case("linear_lr_decay", "LinearLR", 0.5, 60, {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 45},
         lambda o: S.LinearLR(o, 1.0, 0.05, 45)),
    case("constant_lr", "ConstantLR", 0.1, 20, {"factor": 0.25, "total_iters": 6}, lambda o: S.ConstantLR(o, 0.25, 6)),
    case("polynomial_lr", "PolynomialLR", 0.1, 60, {"total_iters": 50, "power": 2.0},
         lambda o: S.PolynomialLR(o, 50, 2.0)),
    case("polynomial_lr_linear", "PolynomialLR", 0.02, 40, {"total_iters": 30, "power": 1.0},
         lambda o: S.PolynomialLR(o, 30, 1.0)),
    case("polynomial_lr_sqrt", "PolynomialLR", 0.3, 50, {"total_iters": 37, "power": 0.5},
         lambda o: S.PolynomialLR(o, 37, 0.5)),
    case("one_cycle_cos", "OneCycleLR", 0.0, 100, {"max_lr": 0.1, "total_steps": 100},
         lambda o: S.OneCycleLR(o, 0.1, total_steps=100, cycle_momentum=False)),
    case("one_cycle_linear_three_phase", "OneCycleLR", 0.0, 200,
         {"max_lr": 0.5, "total_steps": 200, "pct_start": 0.25, "anneal_strategy": "linear", "div_factor": 10.0,
          "final_div_factor": 100.0, "three_phase": True},
         lambda o: S.OneCycleLR(o, 0.5, total_steps=200, pct_start=0.25, anneal_strategy="linear", div_factor=10.0,
                                final_div_factor=100.0, three_phase=True, cycle_momentum=False)),
    case("one_cycle_cos_three_phase", "OneCycleLR", 0.0, 77,
         {"max_lr": 0.02, "total_steps": 77, "pct_start": 0.4, "three_phase": True},
         lambda o: S.OneCycleLR(o, 0.02, total_steps=77, pct_start=0.4, three_phase=True, cycle_momentum=False)),
    case("inverse_sqrt_lambda", "LambdaLR", 0.001, 120, {"warmup": 16, "lambda": "min((t+1)/warmup, sqrt(warmup/(t+1)))"},
         lambda o: S.LambdaLR(o, inverse_sqrt(16))),
    case("sequential_linear_cosine", "SequentialLR", 0.1, 60,
         {"schedulers": [{"LinearLR": {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 10}},
                         {"CosineAnnealingLR": {"T_max": 40, "eta_min": 0.0}}], "milestones": [10]},
         lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, 1.0, 10), S.CosineAnnealingLR(o, 40)], [10]),
         closed_form=False),
    case("sequential_constant_exponential_step", "SequentialLR", 1.0, 50,
         {"schedulers": [{"ConstantLR": {"factor": 0.1, "total_iters": 5}}, {"ExponentialLR": {"gamma": 0.9}},
                         {"StepLR": {"step_size": 5, "gamma": 0.5}}], "milestones": [5, 20]},
         lambda o: S.SequentialLR(o, [S.ConstantLR(o, 0.1, 5), S.ExponentialLR(o, 0.9), S.StepLR(o, 5, 0.5)], [5, 20]),
         closed_form=False),
    case("chained_constant_exponential", "ChainedScheduler", 1.0, 30,
         {"schedulers": [{"ConstantLR": {"factor": 0.1, "total_iters": 4}}, {"ExponentialLR": {"gamma": 0.9}}]},
         lambda o: S.ChainedScheduler([S.ConstantLR(o, 0.1, 4), S.ExponentialLR(o, 0.9)]), closed_form=False),
    case("chained_exponential_linear_step", "ChainedScheduler", 0.2, 50,
         {"schedulers": [{"ExponentialLR": {"gamma": 0.98}}, {"LinearLR": {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 8}},
                         {"StepLR": {"step_size": 15, "gamma": 0.5}}]},
         lambda o: S.ChainedScheduler([S.ExponentialLR(o, 0.98), S.LinearLR(o, 0.25, 1.0, 8), S.StepLR(o, 15, 0.5)]),
         closed_form=False),
]


def metric_sequence():
    """60 epochs of a made-up validation loss: fast progress, plateaus, exact ties, sub-threshold gains."""
    gen = torch.Generator().manual_seed(20240611)
    noise = torch.rand(60, generator=gen, dtype=torch.float64).tolist()
    seq = []
    for e in range(60):
        trend = 2.0 * math.exp(-e / 6.0) + 0.3
        seq.append(round(trend + 0.04 * (noise[e] - 0.5), 6))
    for e in (20, 21, 22):
        seq[e] = seq[19]                      # exact ties: not an improvement
    seq[30] = round(seq[29] * (1 - 5e-5), 9)  # improvement smaller than the default rel threshold 1e-4
    return seq


def plateau(name, base, metrics, options):
    opt = optimizer(base)
    sched = S.ReduceLROnPlateau(opt, **options)
    lrs = []
    for m in metrics:
        sched.step(m)
        lrs.append(float(opt.param_groups[0]["lr"]))
    return {"name": name, "torch": "ReduceLROnPlateau", "base": base, "options": options, "metrics": metrics, "lr": lrs}


LOSS = metric_sequence()
ACCURACY = [round(1.0 - 0.5 * v, 6) for v in LOSS]

PLATEAU = [
    plateau("plateau_min_rel", 0.1, LOSS, {"mode": "min", "factor": 0.5, "patience": 2}),
    plateau("plateau_min_abs_cooldown", 0.1, LOSS,
            {"mode": "min", "factor": 0.3, "patience": 1, "threshold": 0.01, "threshold_mode": "abs", "cooldown": 3,
             "min_lr": 0.002}),
    plateau("plateau_max_rel", 0.05, ACCURACY, {"mode": "max", "factor": 0.2, "patience": 3, "threshold": 0.001}),
    plateau("plateau_max_abs_patience0", 1.0, ACCURACY,
            {"mode": "max", "factor": 0.5, "patience": 0, "threshold": 0.002, "threshold_mode": "abs"}),
    plateau("plateau_eps_floor", 1e-7, LOSS, {"mode": "min", "factor": 0.5, "patience": 0, "threshold": 0.05}),
]

CYCLIC = [
    case("cyclic_triangular", "CyclicLR", 0.001, 100,
         {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 10, "mode": "triangular"},
         lambda o: S.CyclicLR(o, 0.001, 0.01, step_size_up=10, mode="triangular", cycle_momentum=False), closed_form=False),
    case("cyclic_triangular2_asymmetric", "CyclicLR", 0.01, 120,
         {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 7, "step_size_down": 13, "mode": "triangular2"},
         lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=7, step_size_down=13, mode="triangular2", cycle_momentum=False),
         closed_form=False),
]


def write(path, payload):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
    print("wrote", os.path.relpath(path, ROOT))


def drift(entry):
    if "closedForm" not in entry:
        return 0.0
    return max(abs(a - b) / max(abs(b), 1e-300) if b != 0 else abs(a) for a, b in zip(entry["lr"], entry["closedForm"]))


if __name__ == "__main__":
    meta = {"generator": "tools/torch-refs/scheduler_refs.py", "torch": torch.__version__}
    write(OUT, {**meta, "cases": CASES, "plateau": PLATEAU})
    write(OUT_CYCLIC, {**meta, "cases": CYCLIC})
    for c in CASES:
        print(f"  {c['name']:40s} max relative drift of chainable lr vs closed form: {drift(c):.3e}")
