"""PyTorch peer of bench/stream_memory.ts: one pass over an image folder (<class>/*.jpg) as a
PyTorch user streams it, a torch.utils.data Dataset that opens each file with PIL, resizes it,
flips it at random and makes a float tensor, batched by a DataLoader (batch 64, shuffled, no
worker processes); or, with --mode memory, every image decoded into one tensor first (what
../shared/peers/cifar10_cnn.py does). Last line: JSON with the peak RSS and images/s."""

import argparse
import json
import os
import resource
import time

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset


class Folder(Dataset):
    def __init__(self, root: str, size: int):
        self.size = size
        self.items = []
        for ci, c in enumerate(sorted(os.listdir(root))):
            for fn in sorted(os.listdir(os.path.join(root, c))):
                self.items.append((os.path.join(root, c, fn), ci))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int):
        path, label = self.items[i]
        img = Image.open(path).convert("RGB").resize((self.size, self.size), Image.BILINEAR)
        x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
        if torch.rand(()) < 0.5:
            x = x.flip(2)
        return x, label


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--root", required=True)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--mode", choices=["stream", "memory"], default="stream")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    data = Folder(a.root, a.size)
    t0 = time.perf_counter()
    total = 0.0
    if a.mode == "stream":
        for x, _ in DataLoader(data, batch_size=a.batch, shuffle=True, num_workers=0):
            total += float(x[:, 0, 0, 0].sum())
    else:
        x = torch.stack([data[i][0] for i in range(len(data))])
        for i in range(0, len(data), a.batch):
            total += float(x[i : i + a.batch, 0, 0, 0].sum())
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "mode": a.mode, "n": len(data), "seconds": seconds, "images_per_s": len(data) / seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "checksum": total,
    }))


if __name__ == "__main__":
    main()
