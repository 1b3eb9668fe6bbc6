"""Optuna side of `npm run bench search-quality` (tools/bench/src/search-quality.ts).

Run with Debian's python3-optuna under /usr/bin/python3 (never by the tests). The functions mirror
quality-functions.ts exactly (names, spaces, formulas). Reads jobs as one JSON line on stdin:
{"jobs": [{"id", "sampler", "fn", "seed", "budgets"}], "workers": N} and prints one JSON line
per finished job: {"id", "best": [best after each budget], "seconds"}.
"""
import json
import math
import multiprocessing
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # experimental samplers (QMC, multivariate TPE) warn in 3.1

import optuna  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)

H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
H6_ALPHA = [1, 1.2, 3, 3.2]
MIXED_CENTER = {"sgd": -1, "momentum": -1.5, "adam": -3}
MIXED_OFFSET = {"sgd": 0.5, "momentum": 0.2, "adam": 0}
INT_CENTER = [3, -7, 5, 0]


def box(t, d, low, high):
    return [t.suggest_float(f"x{i}", low, high) for i in range(d)]


def branin(t):
    x1 = t.suggest_float("x1", -5, 10)
    x2 = t.suggest_float("x2", 0, 15)
    return (x2 - (5.1 / (4 * math.pi**2)) * x1 * x1 + (5 / math.pi) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


def hartmann6(t):
    x = box(t, 6, 0, 1)
    s = 0.0
    for i in range(4):
        e = sum(H6_A[i][j] * (x[j] - H6_P[i][j] * 1e-4) ** 2 for j in range(6))
        s -= H6_ALPHA[i] * math.exp(-e)
    return s


def rosenbrock5(t):
    x = box(t, 5, -5, 10)
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(4))


def styblinski_tang4(t):
    return sum((x**4 - 16 * x * x + 5 * x) / 2 for x in box(t, 4, -5, 5))


def mixed(t):
    lr = t.suggest_float("lr", 1e-5, 1, log=True)
    depth = t.suggest_int("depth", 1, 12)
    dropout = t.suggest_float("dropout", 0, 0.5, step=0.05)
    opt = t.suggest_categorical("optimizer", ["sgd", "momentum", "adam"])
    return (math.log10(lr) - MIXED_CENTER[opt] + 0.1 * (depth - 7)) ** 2 + 0.05 * (depth - 7) ** 2 + 2 * (dropout - 0.2) ** 2 + MIXED_OFFSET[opt]


def integer(t):
    n = [t.suggest_int(f"n{i}", -10, 10) - c for i, c in enumerate(INT_CENTER)]
    m = t.suggest_int("m", 1, 1024, log=True)
    return sum((i + 1) * v * v for i, v in enumerate(n)) / 4 + 0.5 * (n[0] - n[1]) ** 2 + (math.log2(m) - 6.3) ** 2


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock5": rosenbrock5, "styblinski-tang4": styblinski_tang4, "mixed": mixed, "integer": integer}

SAMPLERS = {
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "qmc": lambda seed: optuna.samplers.QMCSampler(seed=seed),
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "tpe-multivariate": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
    "cma-es": lambda seed: optuna.samplers.CmaEsSampler(seed=seed),
    "cma-es-ipop": lambda seed: optuna.samplers.CmaEsSampler(seed=seed, restart_strategy="ipop"),
    "nsga-ii": lambda seed: optuna.samplers.NSGAIISampler(seed=seed),
}


def run(job):
    started = time.perf_counter()
    study = optuna.create_study(sampler=SAMPLERS[job["sampler"]](job["seed"]))
    study.optimize(FUNCTIONS[job["fn"]], n_trials=max(job["budgets"]))
    values = [t.value if t.value is not None else math.inf for t in study.trials]
    return {"id": job["id"], "best": [min(values[:b]) for b in job["budgets"]], "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    request = json.loads(sys.stdin.readline())
    if request.get("list"):
        print(json.dumps({"optuna": optuna.__version__, "samplers": list(SAMPLERS)}), flush=True)
        sys.exit(0)
    with multiprocessing.Pool(request["workers"]) as pool:
        for result in pool.imap_unordered(run, request["jobs"]):
            print(json.dumps(result), flush=True)
