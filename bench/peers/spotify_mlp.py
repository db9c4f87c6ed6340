"""PyTorch peer of bench/spotify_fit.ts: the Spotify demo's network and fit loop in PyTorch eager
(14 -> 128 -> 64 -> 6, relu, dropout 0.1 after each hidden layer, L2 1e-4 on the kernels added to
the loss as strata does, Adam 1e-3, batch 256 over 20,408 shuffled rows per epoch, validation on
2,268 rows after every epoch, a copy of the weights whenever the validation loss improves), for
the number of epochs strata's fit ran. Random data of the demo's shape: this times the loop,
not the accuracy. Prints the seconds; JSON summary last."""

import argparse
import copy
import json
import time

import torch
from torch import nn


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rows", type=int, default=20_408)
    p.add_argument("--val", type=int, default=2_268)
    p.add_argument("--epochs", type=int, default=75)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = torch.randn(a.rows, 14)
    y = torch.randint(0, 6, (a.rows,))
    xv = torch.randn(a.val, 14)
    yv = torch.randint(0, 6, (a.val,))
    model = nn.Sequential(
        nn.Linear(14, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 6)
    )
    kernels = [m.weight for m in model if isinstance(m, nn.Linear)]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def fit(epochs: int) -> float:
        best = float("inf")
        best_state = None
        t0 = time.perf_counter()
        for _ in range(epochs):
            model.train()
            perm = torch.randperm(a.rows)
            total = 0.0
            for i in range(0, a.rows, a.batch):
                idx = perm[i : i + a.batch]
                opt.zero_grad()
                out = model(x[idx])
                loss = loss_fn(out, y[idx]) + 1e-4 * sum((k * k).sum() for k in kernels)
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)  # strata reads each step's loss and accuracy too
            model.eval()
            with torch.no_grad():
                val = loss_fn(model(xv), yv).item()
            if val < best:
                best = val
                best_state = copy.deepcopy(model.state_dict())
        if best_state is not None:
            model.load_state_dict(best_state)
        return time.perf_counter() - t0

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    fit(2)  # warm-up
    seconds = fit(a.epochs)
    print(f"{a.epochs} epochs: {seconds:.3f} s ({1000 * seconds / a.epochs:.2f} ms/epoch)")
    print(json.dumps({"fit_s": seconds, "epoch_ms": 1000 * seconds / a.epochs, "epochs": a.epochs, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
