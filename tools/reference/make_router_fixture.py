#!/usr/bin/python3
"""Builds router checkpoints shaped like the official L2C and HarmoniCa ones, for RouterImportTest.

Both codebases save {"routers": OrderedDict{"i.prob": float32[2*depth]}, "opt": AdamW state, "args":
argparse.Namespace}. Here depth = 2 (4 units) and N = 4 steps. The HarmoniCa router N-1 is fixed at 5.0 and its
args carry lambda_c (IEPO); the L2C args do not. The logits are also written as JSON for the test to compare.

Run with Debian's PyTorch:  /usr/bin/python3 tools/reference/make_router_fixture.py
"""
import argparse
import collections
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "reference", "cache")
DEPTH, STEPS = 2, 4


def checkpoint(harmonica):
    g = torch.Generator().manual_seed(11 if harmonica else 7)
    routers = collections.OrderedDict()
    params = []
    for i in range(STEPS):
        if harmonica and i == STEPS - 1:
            prob = torch.full((2 * DEPTH,), 5.0)
        else:
            prob = torch.randn(2 * DEPTH, generator=g).clamp(-5, 5)
        routers["%d.prob" % i] = prob
        params.append(torch.nn.Parameter(prob.clone()))
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0)
    sum(p.sum() for p in params).backward()
    opt.step()
    args = argparse.Namespace(model="DiT-tiny", image_size=256, num_classes=1000, num_sampling_steps=STEPS,
                              l1=7e-8 if harmonica else 5e-6, lr=0.01 if harmonica else 1e-3,
                              ste_threshold=0.1 if harmonica else None, global_seed=0, vae="ema")
    if harmonica:
        args.lambda_c = 500
        args.cfg_scale = 1.5
        args.max_steps = 20000
    else:
        args.epochs = 1
        args.max_steps = 50000
    return {"routers": routers, "opt": opt.state_dict(), "args": args}


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, harmonica in (("l2c", False), ("harmonica", True)):
        ck = checkpoint(harmonica)
        torch.save(ck, os.path.join(OUT, "router_%s_d2_n4.pt" % name))
        expected[name] = [ck["routers"]["%d.prob" % i].tolist() for i in range(STEPS)]
    with open(os.path.join(OUT, "router_fixture_logits.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
