"""Times the PyTorch reference decoder (tools/reference/vae_reference.py, random weights) on random latents.

    /usr/bin/python3 bench/vae_decode_pytorch.py --vae sd-vae|taesd --batch 8 --size 32 --threads 2 --repeats 3
Prints one line: pytorch decode batch B: min X ms, median Y ms over N repeats (after one untimed warm-up).
"""
import argparse
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "reference"))
import vae_reference as ref  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--vae", default="sd-vae", choices=["sd-vae", "taesd"])
p.add_argument("--batch", type=int, default=1)
p.add_argument("--size", type=int, default=32)
p.add_argument("--threads", type=int, default=os.cpu_count())
p.add_argument("--repeats", type=int, default=3)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
model = ref.SdVaeDecoderRef(**ref.SD_VAE) if a.vae == "sd-vae" else ref.taesd_decoder()
model.eval()
decode = model.decode if a.vae == "sd-vae" else model
z = torch.randn(a.batch, 4, a.size, a.size)
times = []
with torch.inference_mode():
    decode(z)
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        decode(z)
        times.append((time.perf_counter() - t0) * 1e3)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("pytorch decode batch %d: min %.1f ms, median %.1f ms over %d repeats; torch %s, %d threads, peak RSS %.0f MiB"
      % (a.batch, min(times), statistics.median(times), a.repeats, torch.__version__, a.threads, peak))
