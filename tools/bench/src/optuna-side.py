"""Optuna side of `npm run bench search` (tools/bench/src/search.ts): the same objectives, budgets and seeds.

Run by tools/bench with Debian's python3-optuna under /usr/bin/python3 (never by the tests).

  optuna-side.py speed ROUNDS DIR   -> one JSON line {"optuna": version, "cells": {"random/memory": [trials/s per round], ...}}
  optuna-side.py quality SEEDS      -> one JSON line {"branin/default": [[best@100, best@200] per seed], ...}

Speed: 1,000 trials of (x-2)^2 + (y+1)^2, x, y in [-10, 10]; trials/s = 1000 / seconds of study.optimize
measured with time.perf_counter (study creation and the import are not timed). Journal files go to DIR.
"""
import json
import math
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # multivariate TPE is an ExperimentalWarning in 3.1

import optuna  # noqa: E402
from optuna.storages import JournalFileStorage, JournalStorage  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)

TRIALS = 1000


def speed_objective(trial):
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_float("y", -10, 10)
    return (x - 2) ** 2 + (y + 1) ** 2


def make_sampler(kind, seed, multivariate=False):
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, multivariate=multivariate)


def make_storage(kind, path):
    if kind == "memory":
        return None
    return JournalStorage(JournalFileStorage(path))


def timed(sampler_kind, storage_kind, seed, n, path):
    if path and os.path.exists(path):
        os.remove(path)
    study = optuna.create_study(study_name="overhead", sampler=make_sampler(sampler_kind, seed), storage=make_storage(storage_kind, path))
    t = time.perf_counter()
    study.optimize(speed_objective, n_trials=n)
    return time.perf_counter() - t


def speed(rounds, out_dir):
    cells = {}
    for sampler_kind in ("random", "tpe"):
        for storage_kind in ("memory", "journal"):
            path = os.path.join(out_dir, f"optuna-{sampler_kind}.log") if storage_kind == "journal" else None
            timed(sampler_kind, storage_kind, 0, 50, path)  # warm-up, as on the Anneal side (untimed)
            cells[f"{sampler_kind}/{storage_kind}"] = [TRIALS / timed(sampler_kind, storage_kind, r + 1, TRIALS, path) for r in range(rounds)]
    print(json.dumps({"optuna": optuna.__version__, "cells": cells}), flush=True)


def branin(x1, x2):
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


FUNCTIONS = {
    "branin": lambda t: branin(t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15)),
    "quadratic": lambda t: (t.suggest_float("x", -5, 5) - 1.3) ** 2 + (t.suggest_float("y", -5, 5) + 0.7) ** 2,
}


def quality(seeds):
    out = {}
    for fname, fn in FUNCTIONS.items():
        for setting, multivariate in (("default", False), ("multivariate", True)):
            runs = []
            for seed in range(1, seeds + 1):
                study = optuna.create_study(sampler=make_sampler("tpe", seed, multivariate))
                study.optimize(fn, n_trials=200)
                values = [t.value for t in study.trials]
                runs.append([min(values[:100]), min(values)])
            out[f"{fname}/{setting}"] = runs
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "speed":
        speed(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "quality":
        quality(int(sys.argv[2]))
    else:
        sys.exit(f"optuna-side.py: unknown mode {sys.argv[1]!r} (speed ROUNDS DIR | quality SEEDS)")
