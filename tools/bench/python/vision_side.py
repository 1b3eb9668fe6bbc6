"""PyTorch side of `npm run bench vision` for one workload, in its own process (so its peak RSS is its own).

    /usr/bin/python3 vision_side.py <model-dir> <data-dir> <W5..W9> <steps-per-run>
W5-W8: full fine-tune step of the model (train mode: batch-statistics BatchNorm), SGD momentum 0.9.
W9: head-only fine-tuning end to end: resnet18 backbone forward under no_grad (eval mode) + a
step of its `fc` head. Prints a ready line, then answers each stdin line `run` with
{"seconds", "loss"} for <steps-per-run> steps, and `quit` with {"peak_rss_mb"} (VmHWM).
"""
import json
import os
import sys
import time

import numpy as np
import torch

from vision_models import build

torch.set_num_threads(2)
torch.set_num_interop_threads(1)
MODELS = {"W5": "resnet18", "W6": "mobilenet_v3_small", "W7": "efficientnet_b0", "W8": "deit_tiny", "W9": "resnet18"}
LR = 0.01


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    model_dir, data_dir, workload, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    x = torch.from_numpy(np.load(os.path.join(data_dir, "x.npy")))
    y = torch.from_numpy(np.load(os.path.join(data_dir, "labels.npy")))
    model = build(MODELS[workload])
    model.load_state_dict(torch.load(os.path.join(model_dir, MODELS[workload] + ".pt")))
    if workload == "W9":
        head = model.fc
        model.fc = torch.nn.Identity()
        backbone = model.eval()
        for p in backbone.parameters():
            p.requires_grad_(False)
        opt = torch.optim.SGD(head.parameters(), lr=LR, momentum=0.9)

        def step():
            with torch.no_grad():
                features = backbone(x)
            loss = torch.nn.functional.cross_entropy(head(features), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss
    else:
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)

        def step():
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss

    first = float(step())  # warm-up, untimed (the Anneal side also steps once before timing)
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(), "first_loss": first}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "run":
            t = time.perf_counter()
            for _ in range(steps):
                loss = step()
            print(json.dumps({"seconds": time.perf_counter() - t, "loss": float(loss)}), flush=True)
        elif cmd == "quit":
            print(json.dumps({"peak_rss_mb": peak_rss_mb()}), flush=True)
            break


if __name__ == "__main__":
    main()
