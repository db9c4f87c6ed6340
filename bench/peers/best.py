"""A PyTorch peer at its best (issue 22): each peer names its candidate set-ups (memory layout:
NCHW or channels_last; for inference, batch norm folded into the convolutions or not), pick()
times a few steps of each at start-up, on this machine, thread count and heap, and the peer then
runs the fastest one and says which (the JSON line's "setup" and "trial_s")."""

import copy
import statistics
import time
from collections.abc import Callable

import torch

CL = torch.channels_last


def to_layout(model: torch.nn.Module, x: torch.Tensor, layout: str) -> tuple[torch.nn.Module, torch.Tensor]:
    """The model and its input in `layout` ("nchw", PyTorch's default, or "channels_last")."""
    if layout == "channels_last":
        return model.to(memory_format=CL), x.contiguous(memory_format=CL)
    return model, x.contiguous()


MEMORY_FORMAT = {"nchw": torch.contiguous_format, "channels_last": CL}


def adam_trainer(
    initial: torch.nn.Module, layout: str, loss_fn: Callable[..., torch.Tensor], lr: float = 1e-3
) -> tuple[torch.nn.Module, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]]:
    """A fresh copy of `initial` in `layout`, its Adam, and one training step on a batch (the
    batch laid out as the model is): what a training peer times, and what its trial compares."""
    model = copy.deepcopy(initial)
    if layout == "channels_last":
        model = model.to(memory_format=CL)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def step(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        opt.zero_grad()
        loss = loss_fn(model(xb.contiguous(memory_format=MEMORY_FORMAT[layout])), yb)
        loss.backward()
        opt.step()
        return loss

    return model, step


def fold(model: torch.nn.Module) -> torch.nn.Module:
    """The eval-mode model with every batch norm folded into the convolution before it."""
    from torch.fx.experimental.optimization import fuse

    return fuse(model.eval())


def pick(
    candidates: dict[str, Callable[[], Callable[[], object]]], warmup: int = 1, steps: int = 2
) -> tuple[str, dict[str, float]]:
    """Times each candidate (a builder returning one step) and returns the fastest's name and every
    candidate's median seconds per step. A candidate that fails to build or run is reported and left
    out (one that works always remains: the first, PyTorch's default)."""
    times: dict[str, float] = {}
    for name, build in candidates.items():
        try:
            step = build()
            for _ in range(warmup):
                step()
            ts = []
            for _ in range(steps):
                t0 = time.perf_counter()
                step()
                ts.append(time.perf_counter() - t0)
            times[name] = statistics.median(ts)
            print(f"set-up trial: {name}: {times[name]:.4f} s/step")
        except Exception as e:  # noqa: BLE001 - a set-up torch 1.13 lacks is skipped, said why
            print(f"set-up trial: {name}: unavailable ({type(e).__name__}: {str(e).splitlines()[0][:120]})")
    best = min(times, key=lambda k: times[k])
    print(f"set-up used (fastest in the trial): {best}")
    return best, times
