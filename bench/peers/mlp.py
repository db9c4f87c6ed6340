"""PyTorch peer of bench/mlp.ts: the same MLP (14 -> 256 -> 128 -> 10), Adam, cross-entropy,
one epoch of shuffled mini-batches, float32, eager mode. Prints one line per measurement and a
JSON summary as the last line."""

import argparse
import json
import time

import torch
from torch import nn


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--features", type=int, default=14)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--warmup-rows", type=int, default=5120)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--op-n", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    g = torch.Generator().manual_seed(a.seed)
    x = torch.randn(a.rows, a.features, generator=g)
    y = torch.randint(0, a.classes, (a.rows,), generator=g)

    model = nn.Sequential(
        nn.Linear(a.features, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, a.classes)
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def epoch(xx: torch.Tensor, yy: torch.Tensor) -> float:
        perm = torch.randperm(xx.shape[0])
        loss = torch.zeros(())
        for i in range(0, xx.shape[0], a.batch):
            idx = perm[i : i + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(xx[idx]), yy[idx])
            loss.backward()
            opt.step()
        return float(loss.item())

    steps = (a.rows + a.batch - 1) // a.batch
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    w = min(a.warmup_rows, a.rows)
    t0 = time.perf_counter()
    epoch(x[:w], y[:w])
    print(f"warm-up epoch ({w} rows): {time.perf_counter() - t0:.3f} s")
    times = []
    for r in range(a.repeats):
        t0 = time.perf_counter()
        loss = epoch(x, y)
        times.append(time.perf_counter() - t0)
        print(f"epoch {r + 1}: {times[-1]:.3f} s ({1000 * times[-1] / steps:.3f} ms/step), last loss {loss:.4f}")

    # Per-op overhead: a 1-element add, as in bench/mlp.ts.
    ta, tb = torch.ones(1), torch.ones(1)
    for _ in range(1000):
        torch.add(ta, tb)
    t0 = time.perf_counter()
    for _ in range(a.op_n):
        torch.add(ta, tb)
    op_us = 1e6 * (time.perf_counter() - t0) / a.op_n
    print(f"per-op overhead (torch.add of 1-element tensors): {op_us:.2f} us/op")

    print(
        json.dumps(
            {
                "epoch_s": min(times),
                "epoch_times_s": times,
                "step_ms": 1000 * min(times) / steps,
                "steps": steps,
                "op_us": op_us,
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
