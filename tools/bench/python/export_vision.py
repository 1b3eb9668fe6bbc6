"""Writes <out>/<model>.onnx (and <model>.pt, its state_dict) for `npm run bench vision`.

Run by tools/bench/src/vision-models.ts when a file is missing (never by the tests):
    /usr/bin/python3 export_vision.py <out-dir> <model>
The export is opset 17, input `x` [N, 3, 224, 224] with a dynamic batch axis, output `logits`,
BatchNormalization kept as nodes in inference mode (TrainingMode.PRESERVE with model.eval()) so
initializer names equal state_dict names; Anneal switches BatchNorm to training mode itself.
"""
import os
import sys

import torch

from vision_models import build


def main():
    out, name = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    model = build(name).eval()
    x = torch.randn(2, 3, 224, 224)
    tmp = os.path.join(out, f".{name}.{os.getpid()}.onnx")
    torch.onnx.export(model, x, tmp, opset_version=17, input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)
    torch.save(model.state_dict(), os.path.join(out, f"{name}.pt"))
    os.replace(tmp, os.path.join(out, f"{name}.onnx"))
    print(f"wrote {os.path.join(out, name + '.onnx')}")


if __name__ == "__main__":
    main()
