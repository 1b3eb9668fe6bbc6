"""PyTorch side of `npm run bench`: the same workloads, data and initial weights as Anneal's side.

Run by tools/bench (never by the tests). Reads the data directory given as argv[1], then answers
one workload name per stdin line (W1..W4) with a JSON line {"workload", "seconds", ...} so the two
sides can be alternated run by run. Uses Debian's python3-torch with 2 intra-op threads.
"""
import json
import os
import sys
import time

import numpy as np
import torch

torch.set_num_threads(2)
torch.set_num_interop_threads(1)
DATA = sys.argv[1]


def load(name):
    return torch.from_numpy(np.load(os.path.join(DATA, name + ".npy")))


feats, labels = load("features"), load("labels")
cnn_x, cnn_y, cnn_eval_x = load("cnn_x"), load("cnn_y"), load("cnn_eval_x")
cfg = json.load(open(os.path.join(DATA, "config.json")))


def linear_params(prefix, shapes):
    return [torch.nn.Parameter(load(f"{prefix}_{i}").clone()) for i in range(len(shapes))]


def run_w1():
    w, b = linear_params("w1", [0, 1])
    opt = torch.optim.SGD([w, b], lr=cfg["w1"]["lr"], momentum=0.9)
    bs, n = cfg["w1"]["batch"], feats.shape[0]
    t = time.perf_counter()
    for _ in range(cfg["w1"]["epochs"]):
        for s in range(0, n, bs):
            x, y = feats[s:s + bs], labels[s:s + bs]
            loss = torch.nn.functional.cross_entropy(x @ w + b, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return time.perf_counter() - t, float(loss)


def run_w2():
    w1, b1, w2, b2 = linear_params("w2", [0, 1, 2, 3])
    opt = torch.optim.Adam([w1, b1, w2, b2], lr=cfg["w2"]["lr"])
    bs, n = cfg["w2"]["batch"], feats.shape[0]
    t = time.perf_counter()
    for _ in range(cfg["w2"]["epochs"]):
        for s in range(0, n, bs):
            x, y = feats[s:s + bs], labels[s:s + bs]
            h = torch.relu(x @ w1 + b1)
            loss = torch.nn.functional.cross_entropy(h @ w2 + b2, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return time.perf_counter() - t, float(loss)


def cnn_forward(p, x):
    c1w, c1b, c2w, c2b, fw, fb = p
    h = torch.nn.functional.max_pool2d(torch.relu(torch.nn.functional.conv2d(x, c1w, c1b, padding=1)), 2)
    h = torch.nn.functional.max_pool2d(torch.relu(torch.nn.functional.conv2d(h, c2w, c2b, padding=1)), 2)
    return h.reshape(h.shape[0], -1) @ fw + fb


def cnn_params():
    return linear_params("w3", list(range(6)))


def run_w3():
    p = cnn_params()
    opt = torch.optim.SGD(p, lr=cfg["w3"]["lr"])
    t = time.perf_counter()
    for _ in range(cfg["w3"]["steps"]):
        loss = torch.nn.functional.cross_entropy(cnn_forward(p, cnn_x), cnn_y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - t, float(loss)


def run_w4():
    p = [q.detach() for q in cnn_params()]
    t = time.perf_counter()
    with torch.no_grad():
        for _ in range(cfg["w4"]["runs"]):
            out = cnn_forward(p, cnn_eval_x)
    return time.perf_counter() - t, float(out.sum())


RUNS = {"W1": run_w1, "W2": run_w2, "W3": run_w3, "W4": run_w4}
print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    name = line.strip()
    if not name:
        continue
    if name == "quit":
        break
    seconds, check = RUNS[name]()
    print(json.dumps({"workload": name, "seconds": seconds, "check": check}), flush=True)
