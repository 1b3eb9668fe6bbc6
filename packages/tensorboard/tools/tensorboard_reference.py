"""Independent reference for @anneal/tensorboard, run by hand (never by `npm test`).

Needs tensorboardX and tensorboard in a virtual environment, e.g.:

    python3 -m venv /tmp/tbvenv
    /tmp/tbvenv/bin/pip install --no-index --find-links /opt/pypi/files tensorboardX tensorboard

Commands:

    /tmp/tbvenv/bin/python packages/tensorboard/tools/tensorboard_reference.py fixtures
        Writes fixtures/tensorboardx-scalars.tfevents and fixtures/tensorboardx-restart.tfevents
        with tensorboardX (wall times fixed by a fake clock) and fixtures/tensorboardx-calls.json
        (the calls made), which src/reference.spec.ts replays through EventEncoder and compares
        byte for byte.

    /tmp/tbvenv/bin/python packages/tensorboard/tools/tensorboard_reference.py read DIR_OR_FILE
        Loads an Anneal run's tensorboard folder (or one event file) with TensorBoard's own
        EventAccumulator (CRC checks on, orphaned data purged as TensorBoard does) and prints
        every scalar tag with its (step, value) points.
"""

import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"


class FakeClock:
    """time.time() for tensorboardX: the file version record and the file name read it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def write_with_tensorboardx(name, calls, start, purge_step=None):
    import tensorboardX.event_file_writer as efw
    import tensorboardX.writer as writer_module
    from tensorboardX import SummaryWriter

    clock = FakeClock(start)
    efw.time.time = clock  # the module's `time` is the stdlib module: patch for this process only
    writer_module.time.time = clock
    with tempfile.TemporaryDirectory() as tmp:
        writer = SummaryWriter(logdir=tmp, purge_step=purge_step, flush_secs=3600)
        for c in calls:
            value = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(c["value"], c["value"])
            writer.add_scalar(c["tag"], value, global_step=c["step"], walltime=c["wallTime"])
        writer.close()
        files = [f for f in os.listdir(tmp) if "tfevents" in f]
        assert len(files) == 1, files
        shutil.copyfile(os.path.join(tmp, files[0]), FIXTURES / name)


def fixtures():
    scalars = {
        "start": 1700000000.25,
        "calls": [
            {"tag": "train/loss", "value": 2.302585, "step": 0, "wallTime": 1700000000.5},
            {"tag": "train/loss", "value": 0.0, "step": 1, "wallTime": 1700000001.125},
            {"tag": "lr", "value": 0.1, "step": 1, "wallTime": 1700000001.125},
            {"tag": "hp/lr.head", "value": 1e-8, "step": 300, "wallTime": 1700000002.0},
            {"tag": "val/accuracy", "value": -2.5, "step": 2**40 + 7, "wallTime": 1700000003.0},
            {"tag": "train/grad_norm", "value": 3.0e38, "step": 127, "wallTime": 1700000003.75},
            {"tag": "train/loss", "value": "nan", "step": 128, "wallTime": 1700000004.0},
            {"tag": "train/loss", "value": "inf", "step": 129, "wallTime": 1700000004.0},
            {"tag": "train/loss", "value": "-inf", "step": 130, "wallTime": 0.0},
            {"tag": "val/loss", "value": 0.333333333, "step": 16384, "wallTime": 1700000005.0625},
        ],
    }
    restart = {
        "start": 1700000100.0,
        "purgeStep": 129,
        "calls": [
            {"tag": "train/loss", "value": 0.5, "step": 129, "wallTime": 1700000100.5},
            {"tag": "lr", "value": 0.05, "step": 129, "wallTime": 1700000100.5},
        ],
    }
    FIXTURES.mkdir(exist_ok=True)
    write_with_tensorboardx("tensorboardx-scalars.tfevents", scalars["calls"], scalars["start"])
    write_with_tensorboardx("tensorboardx-restart.tfevents", restart["calls"], restart["start"], restart["purgeStep"])
    import tensorboardX

    calls = {"tensorboardX": tensorboardX.__version__, "scalars": scalars, "restart": restart}
    (FIXTURES / "tensorboardx-calls.json").write_text(json.dumps(calls, indent=2) + "\n")
    for name in ("tensorboardx-scalars.tfevents", "tensorboardx-restart.tfevents"):
        print(f"wrote {FIXTURES / name} ({(FIXTURES / name).stat().st_size} bytes)")


def read(path):
    import tensorboard
    from tensorboard.backend.event_processing import event_accumulator

    acc = event_accumulator.EventAccumulator(path, size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    tags = acc.Tags()["scalars"]
    print(f"tensorboard {tensorboard.__version__} EventAccumulator({path}): {len(tags)} scalar tags")
    for tag in sorted(tags):
        points = acc.Scalars(tag)
        steps = [p.step for p in points]
        shown = ", ".join(f"{p.step}:{p.value:.6g}" for p in points[:6])
        more = f", ... {points[-1].step}:{points[-1].value:.6g}" if len(points) > 6 else ""
        dupes = len(steps) - len(set(steps))
        print(f"  {tag}: {len(points)} points, steps {steps[0]}..{steps[-1]}, duplicate steps {dupes}: {shown}{more}")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "fixtures":
        fixtures()
    elif len(sys.argv) == 3 and sys.argv[1] == "read":
        read(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
