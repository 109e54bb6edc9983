"""Times the uncached DiT forward of the PyTorch reference (tools/reference/dit_reference.py, written from the spec
with facebookresearch/DiT's structure) at a given thread count. Run with Debian's /usr/bin/python3 (torch 1.13)."""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "reference"))
import torch  # noqa: E402
from dit_reference import DiT  # noqa: E402

PRESETS = {"DiT-XL/2": (28, 1152, 16, 2), "DiT-L/2": (24, 1024, 16, 2), "DiT-B/2": (12, 768, 12, 2), "DiT-S/2": (12, 384, 6, 2)}

ap = argparse.ArgumentParser()
ap.add_argument("--model", default="DiT-XL/2", choices=sorted(PRESETS))
ap.add_argument("--batch", type=int, default=2)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--repeats", type=int, default=5)
a = ap.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
depth, hidden, heads, patch = PRESETS[a.model]
model = DiT(input_size=32, patch=patch, in_channels=4, hidden=hidden, depth=depth, heads=heads).eval()
x = torch.randn(a.batch, 4, 32, 32)
t = torch.full((a.batch,), 500.0)
y = torch.arange(a.batch) % 1000
times = []
with torch.no_grad():
    for _ in range(a.warmup):
        model(x, t, y)
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        model(x, t, y)
        times.append((time.perf_counter() - t0) * 1e3)
import re  # noqa: E402
m = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
blas = (m.group(1) if m else "?") + (" (Debian: the system libblas, OpenBLAS pthreads)" if m and m.group(1) == "generic" else "")
blas += ", mkldnn " + ("on" if torch.backends.mkldnn.is_available() else "off")
print(f"pytorch {torch.__version__} forward {a.model} batch {a.batch} threads {torch.get_num_threads()}: "
      f"min {min(times):.1f} ms, median {statistics.median(times):.1f} ms ({a.repeats} runs: {' '.join(f'{x:.0f}' for x in times)} ms), "
      f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, blas={blas}")
