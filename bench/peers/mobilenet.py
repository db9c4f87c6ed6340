"""PyTorch peer of bench/mobilenet_infer.ts and bench/mobilenet_train.ts: torchvision's
MobileNetV2 (random initialisation, float32, eager; where torchvision is not installed, as
with Debian's python3-torch, an identical copy of torchvision 0.14's network defined below).

--mode infer: eval mode under torch.no_grad(), one batch per step; optionally --onnx PATH exports
the same (unfolded, NCHW) model to ONNX (opset 13) for ONNX Runtime.
--mode train: one training step (forward, cross-entropy, backward, Adam step) per step.

Set-up (--setup, default "auto": the fastest in a short timed trial at start-up, best.py): memory
layout NCHW or channels_last, and for inference each batch norm folded into its convolution
(torch.fx.experimental.optimization.fuse) or not. Last line: JSON summary (median and best
seconds per step; "setup": the set-up used, "trial_s": the trial's seconds per step)."""

import argparse
import copy
import json
import resource
import statistics
import time

import torch
from best import fold, pick, to_layout

try:
    import torchvision
except ImportError:  # Debian's python3-torch comes without torchvision: the same network below
    torchvision = None


def _make_divisible(v: float, divisor: int = 8) -> int:
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _conv_bn(inp: int, oup: int, k: int, stride: int = 1, groups: int = 1) -> torch.nn.Sequential:
    return torch.nn.Sequential(
        torch.nn.Conv2d(inp, oup, k, stride, (k - 1) // 2, groups=groups, bias=False),
        torch.nn.BatchNorm2d(oup),
        torch.nn.ReLU6(inplace=True),
    )


class _InvertedResidual(torch.nn.Module):
    def __init__(self, inp: int, oup: int, stride: int, t: int) -> None:
        super().__init__()
        hidden = int(round(inp * t))
        self.use_res = stride == 1 and inp == oup
        layers: list[torch.nn.Module] = [] if t == 1 else [_conv_bn(inp, hidden, 1)]
        layers += [
            _conv_bn(hidden, hidden, 3, stride, hidden),
            torch.nn.Conv2d(hidden, oup, 1, 1, 0, bias=False),
            torch.nn.BatchNorm2d(oup),
        ]
        self.conv = torch.nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res else self.conv(x)


class _MobileNetV2(torch.nn.Module):
    """torchvision 0.14's mobilenet_v2 (same layers, parameter count and initialisation)."""

    def __init__(self, num_classes: int = 1000, width_mult: float = 1.0) -> None:
        super().__init__()
        settings = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]
        inp = _make_divisible(32 * width_mult)
        self.last_channel = _make_divisible(1280 * max(1.0, width_mult))
        features: list[torch.nn.Module] = [_conv_bn(3, inp, 3, 2)]
        for t, c, n, s in settings:
            oup = _make_divisible(c * width_mult)
            for i in range(n):
                features.append(_InvertedResidual(inp, oup, s if i == 0 else 1, t))
                inp = oup
        features.append(_conv_bn(inp, self.last_channel, 1))
        self.features = torch.nn.Sequential(*features)
        self.classifier = torch.nn.Sequential(torch.nn.Dropout(0.2), torch.nn.Linear(self.last_channel, num_classes))
        for m in self.modules():
            if isinstance(m, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, torch.nn.BatchNorm2d):
                torch.nn.init.ones_(m.weight)
                torch.nn.init.zeros_(m.bias)
            elif isinstance(m, torch.nn.Linear):
                torch.nn.init.normal_(m.weight, 0, 0.01)
                torch.nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


def mobilenet_v2(num_classes: int, width_mult: float) -> torch.nn.Module:
    if torchvision is not None:
        return torchvision.models.mobilenet_v2(num_classes=num_classes, width_mult=width_mult)
    return _MobileNetV2(num_classes=num_classes, width_mult=width_mult)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["infer", "train"], default="infer")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--onnx", default="")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--setup", default="auto", help="auto, nchw, channels_last, nchw+folded or channels_last+folded")
    p.add_argument("--trial-steps", type=int, default=2)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = mobilenet_v2(a.classes, a.alpha)
    params = sum(t.numel() for t in model.parameters())
    g = torch.Generator().manual_seed(a.seed)
    x = torch.randn(a.batch, 3, a.size, a.size, generator=g)
    print(
        f"torch {torch.__version__}, torchvision {torchvision.__version__ if torchvision else 'absent (own copy)'}, threads {torch.get_num_threads()}, "
        f"MobileNetV2 alpha {a.alpha}, {params} parameters, batch {a.batch}, {a.size}x{a.size}, mode {a.mode}"
    )

    result: dict[str, object] = {"mode": a.mode, "params": params, "threads": torch.get_num_threads()}
    times: list[float] = []
    cpu: list[float] = []  # CPU seconds (user + system) per step: steadier than wall time on a shared machine
    if a.mode == "infer":
        model.eval()

        def setup(name: str) -> tuple[torch.nn.Module, torch.Tensor]:
            m = copy.deepcopy(model)
            if name.endswith("+folded"):
                m = fold(m)
            return to_layout(m, x, name.split("+")[0])

        names = ["nchw", "channels_last", "nchw+folded", "channels_last+folded"]
        with torch.no_grad():
            chosen, trial = a.setup, {}
            if chosen == "auto":

                def candidate(name: str):
                    m, xx = setup(name)
                    return lambda: m(xx)

                chosen, trial = pick({k: (lambda k=k: candidate(k)) for k in names}, warmup=1, steps=a.trial_steps)
            run_model, run_x = setup(chosen)
            result.update({"setup": chosen, "trial_s": trial})
            print(f"inference set-up: {chosen}")
            for _ in range(a.warmup):
                run_model(run_x)
            for i in range(a.steps):
                t0, c0 = time.perf_counter(), time.process_time()
                run_model(run_x)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                print(f"batch {i + 1}: {times[-1]:.4f} s ({a.batch / times[-1]:.1f} images/s)")
        if a.onnx:
            t0 = time.perf_counter()
            torch.onnx.export(
                model,
                x,
                a.onnx,
                input_names=["input"],
                output_names=["output"],
                opset_version=13,
                do_constant_folding=True,
            )
            print(f"exported ONNX to {a.onnx} in {time.perf_counter() - t0:.1f} s")
            result["onnx"] = a.onnx
    else:
        model.train()
        y = torch.randint(0, a.classes, (a.batch,), generator=g)
        loss_fn = torch.nn.CrossEntropyLoss()

        def trainer(layout: str):
            """A fresh copy of the initial model in `layout`, its Adam, and one training step."""
            m, xx = to_layout(copy.deepcopy(model), x, layout)
            opt = torch.optim.Adam(m.parameters(), lr=1e-3)

            def one() -> float:
                opt.zero_grad()
                loss = loss_fn(m(xx), y)
                loss.backward()
                opt.step()
                return float(loss.item())

            return one

        chosen, trial = a.setup, {}
        if chosen == "auto":  # no folding in training: batch norm uses the batch's statistics
            chosen, trial = pick({k: (lambda k=k: trainer(k)) for k in ["nchw", "channels_last"]}, warmup=1, steps=a.trial_steps)
        step = trainer(chosen)
        result.update({"setup": chosen, "trial_s": trial})
        print(f"training set-up: {chosen}")

        for _ in range(a.warmup):
            step()
        for i in range(a.steps):
            t0, c0 = time.perf_counter(), time.process_time()
            loss = step()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            print(f"step {i + 1}: {times[-1]:.4f} s, loss {loss:.4f}")

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")
    med = statistics.median(times)
    result.update(
        {
            "step_s": med,
            "best_s": min(times),
            "times_s": times,
            "cpu_s": statistics.median(cpu),
            "images_per_s": a.batch / med,
            "peak_rss_mib": peak,
        }
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
