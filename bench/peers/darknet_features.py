"""PyTorch peer of bench/transfer_features.ts: darknet-tiny cut at leaky_re_lu_14 plus global
average pooling, rebuilt from the weights the benchmark exported (--dir: manifest.json + raw
float32 files in TF.js's layout) as torch.nn Conv2d (kernels HWIO -> OIHW) / BatchNorm2d in eval
mode / LeakyReLU / MaxPool2d, float32, eager, under torch.no_grad(), in each of --variants:
nchw (PyTorch's default layout), channels_last (the model and input in torch.channels_last, NHWC
in memory as strata's tensors are), folded (channels_last with each batch norm folded into its
convolution's weights and bias, as an inference engine would; fuse_conv_bn_eval).

It first checks that every variant's features on the benchmark's input batches equal strata's
(max abs diff below --tol; it exits with status 1 otherwise) and prints a JSON line with the
checks. Then it serves timing requests, one JSON object a line on stdin, so that the benchmark can
interleave the two sides configuration by configuration on a shared machine:
  {"cmd": "time", "variant": "nchw", "size": 224, "batch": 32, "warmup": 1, "steps": 3}
      -> {"variant": ..., "size": ..., "batch": ..., "step_s": median, "times_s": [...]}
  {"cmd": "profile", "variant": "nchw", "size": 224}   (one batch under torch.autograd.profiler;
      the table goes to stderr) -> {"profile": {op: self CPU ms}}
  {"cmd": "quit"} -> {"threads": ..., "torch": ..., "peak_rss_mib": ...}, then it exits.
Human-readable lines go to stderr, prefixed "[pytorch]"; stdout carries only the JSON replies.
By hand: printf '{"cmd":"time","variant":"nchw","size":128,"batch":32,"warmup":1,"steps":3}\n'
| python3 bench/peers/darknet_features.py --dir DIR (DIR from BENCH_TF_KEEP=1)."""

import argparse
import copy
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval


def load(d: str, w: dict) -> torch.Tensor:
    a = np.fromfile(os.path.join(d, w["file"]), dtype=np.float32)
    return torch.from_numpy(a.reshape(w["shape"]))


def same_padding(kernel: int, stride: int, dilation: int) -> int:
    # TF's 'same' with stride 1 and an odd kernel pads (k - 1) / 2 on both sides.
    if stride != 1 or kernel % 2 == 0:
        raise SystemExit(f"'same' padding with kernel {kernel}, stride {stride}: not symmetric, not handled")
    return dilation * (kernel - 1) // 2


def build(d: str, layers: list[dict]) -> nn.Module:
    mods: list[nn.Module] = []
    channels = 3
    for l in layers:
        c, w = l["config"], l["weights"]
        if l["kind"] == "conv2d":
            kernel = load(d, w["kernel"])  # [kh, kw, in, out]
            kh, kw, cin, cout = kernel.shape
            assert cin == channels, (l["name"], cin, channels)
            if c["activation"] not in (None, "linear"):
                raise SystemExit(f"{l['name']}: activation {c['activation']} not handled")
            sh, sw = c["strides"]
            dh, dw = c["dilationRate"]
            pad = (
                (same_padding(kh, sh, dh), same_padding(kw, sw, dw)) if c["padding"] == "same" else (0, 0)
            )
            conv = nn.Conv2d(cin, cout, (kh, kw), (sh, sw), pad, (dh, dw), bias=bool(c["useBias"]))
            conv.weight.data.copy_(kernel.permute(3, 2, 0, 1))
            if c["useBias"]:
                conv.bias.data.copy_(load(d, w["bias"]))
            mods.append(conv)
            channels = cout
        elif l["kind"] == "batchnorm":
            if c["axis"] not in (-1, 3):
                raise SystemExit(f"{l['name']}: batch norm over axis {c['axis']} not handled")
            bn = nn.BatchNorm2d(channels, eps=c["epsilon"])
            if c["scale"]:
                bn.weight.data.copy_(load(d, w["gamma"]))
            if c["center"]:
                bn.bias.data.copy_(load(d, w["beta"]))
            bn.running_mean.copy_(load(d, w["moving_mean"]))
            bn.running_var.copy_(load(d, w["moving_variance"]))
            mods.append(bn)
        elif l["kind"] == "leakyrelu":
            mods.append(nn.LeakyReLU(c["alpha"]))
        elif l["kind"] == "maxpool":
            k, s = c["poolSize"], c["strides"]
            # TF's 'same' pooling pads the end with -inf: torch's ceil_mode (for kernel == stride).
            if c["padding"] == "same" and tuple(k) != tuple(s):
                raise SystemExit(f"{l['name']}: 'same' pooling with pool {k} != strides {s} not handled")
            mods.append(nn.MaxPool2d(tuple(k), tuple(s), ceil_mode=c["padding"] == "same"))
        elif l["kind"] == "globalavgpool":
            mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        else:
            raise SystemExit(f"unknown layer kind {l['kind']}")
    return nn.Sequential(*mods).eval()


VARIANTS = {
    "nchw": "PyTorch's default NCHW layout",
    "channels_last": "the model and the input in torch.channels_last (NHWC in memory, strata's layout)",
    "folded": "channels_last with each batch norm folded into its convolution (fuse_conv_bn_eval)",
}


def variant(model: nn.Sequential, name: str) -> nn.Module:
    if name == "nchw":
        return model
    if name == "channels_last":
        return copy.deepcopy(model).to(memory_format=torch.channels_last)
    if name == "folded":
        mods: list[nn.Module] = []
        for m in copy.deepcopy(model):
            if isinstance(m, nn.BatchNorm2d) and mods and isinstance(mods[-1], nn.Conv2d):
                mods[-1] = fuse_conv_bn_eval(mods[-1], m)
            else:
                mods.append(m)
        return nn.Sequential(*mods).eval().to(memory_format=torch.channels_last)
    raise SystemExit(f"unknown variant {name}; known: {', '.join(VARIANTS)}")


def log(msg: str) -> None:
    for line in msg.splitlines():
        print(f"[pytorch] {line}", file=sys.stderr, flush=True)


def reply(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


def to_layout(x: torch.Tensor, v: str) -> torch.Tensor:
    return x.contiguous() if v == "nchw" else x.contiguous(memory_format=torch.channels_last)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--dir", required=True)
    p.add_argument("--variants", default="nchw,channels_last,folded", help=", ".join(VARIANTS))
    p.add_argument("--tol", type=float, default=1e-3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    with open(os.path.join(a.dir, "manifest.json")) as f:
        manifest = json.load(f)
    base = build(a.dir, manifest["layers"])
    params = sum(t.numel() for t in base.parameters()) + sum(b.numel() for b in base.buffers())
    names = [v for v in a.variants.split(",") if v]
    models = {v: variant(base, v) for v in names}
    log(
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, {manifest['model']} to {manifest['cut']}"
        f" + GAP: {len(manifest['layers'])} layers rebuilt, {params} parameters and statistics; variants {names}"
    )

    # Inputs per size and layout: the benchmark's batch (NHWC) as NCHW-shaped tensors.
    inputs: dict[tuple[str, int, int], torch.Tensor] = {}
    full_batch: dict[int, int] = {}
    checks = []
    max_diff = 0.0
    with torch.no_grad():
        for inp in manifest["inputs"]:
            size, batch, ch = inp["size"], inp["batch"], inp["channels"]
            x = load(a.dir, {"file": inp["input"], "shape": [batch, size, size, 3]}).permute(0, 3, 1, 2)
            ref = load(a.dir, {"file": inp["features"], "shape": [batch, ch]})
            full_batch[size] = batch
            for v, model in models.items():
                xb = to_layout(x, v)
                inputs[(v, size, batch)] = xb
                inputs[(v, size, 1)] = to_layout(x[:1], v)
                y = model(xb)
                diff = float((y - ref).abs().max())
                max_diff = max(max_diff, diff)
                checks.append({"variant": v, "size": size, "max_abs_diff": diff, "sum": float(y.sum())})
                log(
                    f"check {v} {size}x{size}: features {tuple(y.shape)} sum {float(y.sum()):.6f} vs strata's "
                    f"{float(ref.sum()):.6f}; max abs diff {diff:.2e} (features up to {float(ref.abs().max()):.3g})"
                )
                if not diff < a.tol:
                    reply({"error": f"{v} features differ at {size}: {diff} >= {a.tol}", "checks": checks})
                    raise SystemExit(1)
        reply({"ready": True, "max_abs_diff": max_diff, "checks": checks})

        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            cmd = req.get("cmd")
            if cmd == "quit":
                break
            model = models[req["variant"]]
            x = inputs[(req["variant"], req["size"], req.get("batch", full_batch[req["size"]]))]
            if cmd == "time":
                for _ in range(req.get("warmup", 1)):
                    model(x)
                ts = []
                for _ in range(req.get("steps", 3)):
                    t0 = time.perf_counter()
                    model(x)
                    ts.append(time.perf_counter() - t0)
                reply({**req, "step_s": statistics.median(ts), "times_s": ts})
            elif cmd == "profile":
                with torch.autograd.profiler.profile() as prof:
                    model(x)
                avgs = prof.key_averages()
                log(f"profile of one {req['variant']} batch of {x.shape[0]} at {req['size']}x{req['size']}:")
                log(avgs.table(sort_by="self_cpu_time_total", row_limit=6))
                ops = {e.key: e.self_cpu_time_total / 1000 for e in avgs if e.self_cpu_time_total > 0}
                reply({**req, "profile": ops})
            else:
                reply({"error": f"unknown command {cmd!r}"})
    reply(
        {
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "variants": names,
            "max_abs_diff": max_diff,
            "checks": checks,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


if __name__ == "__main__":
    main()
