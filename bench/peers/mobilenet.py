"""PyTorch peer of bench/mobilenet_infer.ts and bench/mobilenet_train.ts: torchvision's
MobileNetV2 (random initialisation, NCHW, float32, eager).

--mode infer: eval mode under torch.no_grad(), one batch per step; optionally --onnx PATH exports
the same model to ONNX (opset 13) for ONNX Runtime.
--mode train: one training step (forward, cross-entropy, backward, Adam step) per step.

Last line: JSON summary (median and best seconds per step)."""

import argparse
import json
import resource
import statistics
import time

import torch
import torchvision


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
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = torchvision.models.mobilenet_v2(num_classes=a.classes, width_mult=a.alpha)
    params = sum(t.numel() for t in model.parameters())
    g = torch.Generator().manual_seed(a.seed)
    x = torch.randn(a.batch, 3, a.size, a.size, generator=g)
    print(
        f"torch {torch.__version__}, torchvision {torchvision.__version__}, threads {torch.get_num_threads()}, "
        f"MobileNetV2 alpha {a.alpha}, {params} parameters, batch {a.batch}, {a.size}x{a.size}, mode {a.mode}"
    )

    result: dict[str, object] = {"mode": a.mode, "params": params, "threads": torch.get_num_threads()}
    times: list[float] = []
    if a.mode == "infer":
        model.eval()
        with torch.no_grad():
            for _ in range(a.warmup):
                model(x)
            for i in range(a.steps):
                t0 = time.perf_counter()
                model(x)
                times.append(time.perf_counter() - t0)
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
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step() -> float:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return float(loss.item())

        for _ in range(a.warmup):
            step()
        for i in range(a.steps):
            t0 = time.perf_counter()
            loss = step()
            times.append(time.perf_counter() - t0)
            print(f"step {i + 1}: {times[-1]:.4f} s, loss {loss:.4f}")

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")
    med = statistics.median(times)
    result.update(
        {
            "step_s": med,
            "best_s": min(times),
            "times_s": times,
            "images_per_s": a.batch / med,
            "peak_rss_mib": peak,
        }
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
