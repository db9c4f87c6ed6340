"""PyTorch peer of bench/cifar_epoch.ts: the CIFAR-10 JPEG subset's training images decoded with
PIL into memory, scaled to 0..1, then Conv32-BN-ReLU, Conv32-BN-ReLU, MaxPool, Conv64-BN-ReLU,
Conv64-BN-ReLU, MaxPool, Dense128-ReLU, Dense10 (eager, float32), Adam 1e-3, batch 64,
random horizontal flips and 2-pixel pad-and-crop per image, for --epochs epochs; then test
accuracy. Memory layout (NCHW or channels_last): --layout, or "auto" (the default): the faster in
a short timed trial at start-up (best.py), a few training steps of each on a fresh copy of the
initial model and a real batch (the first --batch images, as a batch reaches the model: NCHW from
the augmentation, converted to the layout inside the step). The trial runs after the decode and is
in no timed figure; it warms PyTorch's caches for the first epoch as a start-up would. Prints
per-epoch times and a JSON summary as its last line ("setup": the layout used, "trial_s": the
trial's seconds per step)."""

import argparse
import json
import os
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from best import MEMORY_FORMAT, adam_trainer, pick


def load(root: str, split: str, limit: int):
    classes = sorted(os.listdir(os.path.join(root, split)))
    xs, ys = [], []
    for ci, c in enumerate(classes):
        d = os.path.join(root, split, c)
        for fn in sorted(os.listdir(d))[: limit if limit > 0 else None]:
            xs.append(np.asarray(Image.open(os.path.join(d, fn)).convert("RGB"), dtype=np.uint8))
            ys.append(ci)
    x = torch.tensor(np.stack(xs)).permute(0, 3, 1, 2).float().div_(255.0).contiguous()
    return x, torch.tensor(ys, dtype=torch.long), classes


def net(classes: int) -> nn.Module:
    def block(cin: int, cout: int) -> list[nn.Module]:
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, momentum=0.1), nn.ReLU()]

    return nn.Sequential(
        *block(3, 32), *block(32, 32), nn.MaxPool2d(2),
        *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, classes),
    )


def augment(xb: torch.Tensor, g: torch.Generator, pad: int) -> torch.Tensor:
    n, _, h, w = xb.shape
    flip = torch.rand(n, generator=g) < 0.5
    xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
    padded = F.pad(xb, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=g).tolist()
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=g).tolist()
    return torch.stack([padded[i, :, dy[i] : dy[i] + h, dx[i] : dx[i] + w] for i in range(n)])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--root", required=True)
    p.add_argument("--per-class", type=int, default=0, help="training images per class (0: all)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--pad", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--layout", choices=["auto", "nchw", "channels_last"], default="auto")
    p.add_argument("--trial-steps", type=int, default=4)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    g = torch.Generator().manual_seed(a.seed)

    t0 = time.perf_counter()
    x, y, classes = load(a.root, "train", a.per_class)
    decode_s = time.perf_counter() - t0
    print(f"decoded {len(y)} training images in {decode_s:.2f} s", flush=True)

    initial = net(len(classes))
    loss_fn = nn.CrossEntropyLoss()
    fmt = MEMORY_FORMAT

    def trainer(layout: str):
        """A fresh copy of the initial model in `layout`, its Adam, and one training step on a batch."""
        return adam_trainer(initial, layout, loss_fn)

    trial: dict[str, float] = {}
    layout = a.layout
    if layout == "auto":
        # No augmentation in the trial: it is the same work in either layout, and it would draw
        # from `g`, changing the timed epochs' shuffles and crops.
        xb, yb = x[: a.batch], y[: a.batch]

        def candidate(name: str):
            _, step = trainer(name)
            return lambda: step(xb, yb)

        layout, trial = pick({k: (lambda k=k: candidate(k)) for k in fmt}, warmup=2, steps=a.trial_steps)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, layout {layout}", flush=True)
    model, train_step = trainer(layout)

    epoch_s = []
    for e in range(a.epochs):
        model.train()
        t = time.perf_counter()
        perm = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), a.batch):
            idx = perm[i : i + a.batch]
            loss = train_step(augment(x[idx], g, a.pad), y[idx])
        epoch_s.append(time.perf_counter() - t)
        print(f"epoch {e + 1}: {epoch_s[-1]:.2f} s, last loss {loss.item():.4f}", flush=True)

    xt, yt, _ = load(a.root, "test", 0)
    model.eval()
    with torch.no_grad():
        pred = torch.cat(
            [
                model(xt[i : i + 500].contiguous(memory_format=fmt[layout])).argmax(1)
                for i in range(0, len(yt), 500)
            ]
        )
    acc = float((pred == yt).float().mean())
    print(json.dumps({
        "n": int(len(y)), "epochs": a.epochs, "decode_s": decode_s, "epoch_s": epoch_s,
        "epoch_best_s": min(epoch_s), "first_epoch_with_decode_s": decode_s + epoch_s[0],
        "test_accuracy": acc, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "setup": layout, "trial_s": trial,
    }))


if __name__ == "__main__":
    main()
