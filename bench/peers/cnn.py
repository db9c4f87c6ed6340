"""PyTorch peer of bench/cnn.ts: Conv32-Conv32-Pool-Conv64-Conv64-Pool-Dense128-Dense10 (3x3 same
padding, relu, 2x2 max-pool) on random 32x32x3 images, Adam, cross-entropy, one epoch of
shuffled mini-batches, float32, eager mode. Memory layout (NCHW or channels_last): --layout, or
"auto" (the default): the faster in a short timed trial of a few training steps at start-up
(best.py; there is no batch norm to fold). Last line: JSON summary ("setup": the layout used)."""

import argparse
import json
import time

import torch
from torch import nn

from best import MEMORY_FORMAT, adam_trainer, pick


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup-n", type=int, default=256)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--layout", choices=["auto", "nchw", "channels_last"], default="auto")
    p.add_argument("--trial-steps", type=int, default=6)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    g = torch.Generator().manual_seed(a.seed)
    x = torch.randn(a.n, 3, a.size, a.size, generator=g)
    y = torch.randint(0, a.classes, (a.n,), generator=g)

    def conv(cin: int, cout: int) -> list[nn.Module]:
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU()]

    initial = nn.Sequential(
        *conv(3, 32),
        *conv(32, 32),
        nn.MaxPool2d(2),
        *conv(32, 64),
        *conv(64, 64),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * (a.size // 4) ** 2, 128),
        nn.ReLU(),
        nn.Linear(128, a.classes),
    )
    loss_fn = nn.CrossEntropyLoss()
    fmt = MEMORY_FORMAT

    def trainer(layout: str):
        """A fresh copy of the initial model in `layout`, its Adam, and one training step on a batch."""
        return adam_trainer(initial, layout, loss_fn)[1]

    trial: dict[str, float] = {}
    layout = a.layout
    if layout == "auto":
        xb, yb = x[: a.batch], y[: a.batch]

        def candidate(name: str):
            step = trainer(name)
            return lambda: step(xb, yb)

        layout, trial = pick({k: (lambda k=k: candidate(k)) for k in fmt}, warmup=2, steps=a.trial_steps)
    train_step = trainer(layout)
    x = x.contiguous(memory_format=fmt[layout])

    def epoch(xx: torch.Tensor, yy: torch.Tensor) -> float:
        perm = torch.randperm(xx.shape[0])
        loss = torch.zeros(())
        for i in range(0, xx.shape[0], a.batch):
            idx = perm[i : i + a.batch]
            loss = train_step(xx[idx], yy[idx])
        return float(loss.item())

    steps = (a.n + a.batch - 1) // a.batch
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, layout {layout}")
    w = min(a.warmup_n, a.n)
    t0 = time.perf_counter()
    epoch(x[:w], y[:w])
    print(f"warm-up epoch ({w} images): {time.perf_counter() - t0:.3f} s")
    times = []
    for r in range(a.repeats):
        t0 = time.perf_counter()
        loss = epoch(x, y)
        times.append(time.perf_counter() - t0)
        print(f"epoch {r + 1}: {times[-1]:.3f} s ({1000 * times[-1] / steps:.2f} ms/step), last loss {loss:.4f}")
    print(
        json.dumps(
            {
                "epoch_s": min(times),
                "epoch_times_s": times,
                "step_ms": 1000 * min(times) / steps,
                "images_per_s": a.n / min(times),
                "steps": steps,
                "threads": torch.get_num_threads(),
                "setup": layout,
                "trial_s": trial,
            }
        )
    )


if __name__ == "__main__":
    main()
