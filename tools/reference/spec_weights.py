"""Deterministic weights from a short spec, so that full-size decoders can be compared with Java without a weights
file (docs/vae.md, "Spec weights"; the Java twin is src/test/java/io/ditcache/vae/SpecWeights.java).

Every value of the tensor `key` (its state-dict name, UTF-8) is a function of the key and the value's row-major
index i alone:

    s = fnv1a64(key) + i                                   (mod 2^64)
    z = splitmix64(s): z = s + 0x9E3779B97F4A7C15; z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9;
                       z = (z ^ z >> 27) * 0x94D049BB133111EB; z = z ^ z >> 31   (mod 2^64, logical shifts)
    u = ((z >> 40) - 2^23) / 2^23                          in [-1, 1), 24 bits: exact in float32

and the tensor's value is, computed in float64 and rounded once to float32:

    rank >= 2 (conv, linear):         u * sqrt(3 / fan_in), fan_in = numel / shape[0]   (variance 1 / fan_in)
    rank 1, name ends in ".weight":   1 + 0.1 u                                         (GroupNorm scales)
    rank 1, otherwise:                0.1 u                                             (biases, GroupNorm shifts)
    latents (values(key, shape, 2)):  2 u

The order of keys does not matter (each key has its own stream).
"""
import math

import numpy as np

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK = (1 << 64) - 1


def fnv1a64(key):
    h = FNV_OFFSET
    for b in key.encode("utf-8"):
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def uniform(key, n):
    """The n values u in [-1, 1) of `key`'s stream, as float64 (each exactly a float32)."""
    with np.errstate(over="ignore"):
        z = np.arange(n, dtype=np.uint64) + np.uint64(fnv1a64(key)) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(40)).astype(np.int64) - (1 << 23)) * 2.0 ** -23


def values(key, shape, scale=None):
    """The float32 array of `key` with `shape` by the spec above; `scale` overrides it (u * scale)."""
    n = int(np.prod(shape, dtype=np.int64))
    u = uniform(key, n)
    if scale is not None:
        v = u * scale
    elif len(shape) >= 2:
        v = u * math.sqrt(3.0 / (n // shape[0]))
    elif key.endswith(".weight"):
        v = 1.0 + 0.1 * u
    else:
        v = 0.1 * u
    return v.astype(np.float32).reshape(shape)


def fill(module):
    """Sets every parameter (and buffer) of `module` to its spec values, by its state-dict name."""
    import torch
    with torch.no_grad():
        for key, t in module.state_dict().items():
            t.copy_(torch.from_numpy(values(key, tuple(t.shape))))
    return module
