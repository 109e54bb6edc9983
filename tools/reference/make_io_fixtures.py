#!/usr/bin/python3
"""Fixtures for the io package tests (SafeTensors, TorchCheckpoint, half-precision conversions).

Run with Debian's interpreter (torch 1.13, numpy):  /usr/bin/python3 tools/reference/make_io_fixtures.py
Writes into src/test/resources/io/. Everything here is independent of the Java code: the expected values are
JSON lists produced by torch/numpy, and the reference safetensors file is packed by hand with struct.
"""
import argparse
import collections
import json
import os
import struct
import zipfile

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "io")
PWNED_MARKER = "/tmp/ditcache_io_pwned_marker"


def f32_list(t):
    """Values as float32 (exact in JSON via float64 repr), row-major in the logical (not storage) order."""
    return [float(v) for v in t.detach().to(torch.float32).contiguous().reshape(-1).tolist()]


def expected_entry(t):
    return {"shape": list(t.shape), "values": f32_list(t)}


def small_state_dict():
    g = torch.Generator().manual_seed(1234)
    base = torch.randn(4, 3, generator=g)
    sd = collections.OrderedDict()
    sd["blocks.0.attn.qkv.weight"] = torch.randn(6, 4, generator=g)
    sd["blocks.0.attn.qkv.bias"] = torch.randn(6, generator=g)
    sd["transposed"] = torch.randn(3, 5, generator=g).t()  # non-contiguous, stride (1, 5)
    assert not sd["transposed"].is_contiguous()
    sd["view_offset"] = base[2:4]  # shares base's storage, storage offset 6
    assert sd["view_offset"].storage_offset() == 6
    sd["column"] = base[:, 1]  # same storage, offset 1, stride 3
    sd["half"] = torch.randn(2, 3, generator=g).half()
    sd["bf16"] = torch.randn(2, 3, generator=g).bfloat16()
    sd["double"] = torch.randn(2, 2, generator=g).double()
    sd["index"] = torch.arange(5, dtype=torch.int64) * 7 - 3
    sd["scalar"] = torch.tensor(3.5)
    sd["param"] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
    sd._metadata = collections.OrderedDict({"": {"version": 1}})  # like Module.state_dict()
    return sd


class Evil:
    """Unpickling this runs os.system in Python; the Java reader must refuse it without running anything."""

    def __reduce__(self):
        return (os.system, ("touch " + PWNED_MARKER,))


def half_conversion_cases():
    """float32 inputs and the float16 / bfloat16 bit patterns numpy and torch round them to."""
    rng = np.random.default_rng(7)
    vals = list(rng.standard_normal(200).astype(np.float32))
    vals += list((rng.standard_normal(100) * 1e4).astype(np.float32))  # near/over the f16 range (65504)
    vals += list((rng.standard_normal(100) * 1e-5).astype(np.float32))  # f16 subnormals (< 6.1e-5)
    vals += list((rng.standard_normal(50) * 1e-8).astype(np.float32))  # underflow to (signed) zero in f16
    vals += [0.0, -0.0, 1.0, -1.0, 65504.0, 65519.0, 65520.0, 1e10, -1e10, 6.1035156e-05, 5.9604645e-08,
             2.9802322e-08, 2.9802326e-08, 8.940697e-08, float("inf"), float("-inf"), 3.4028235e38]
    # exact f16 ties: halfway between neighbouring halves (ties to even both ways)
    for h in [1.0, 1.0009765625, 2.0, 1024.0, 0.5, 6.103515625e-05]:
        step = np.float32(np.spacing(np.float16(h)))
        vals += [np.float32(h) + step / 2, -(np.float32(h) + step / 2)]
    f32 = np.array(vals, dtype=np.float32)
    # exact bf16 ties: lower 16 bits == 0x8000, with even and odd upper halves
    ties = np.array([0x3F808000, 0x3F818000, 0xC0008000, 0x7F7F8000, 0x00018000], dtype=np.uint32).view(np.float32)
    f32 = np.concatenate([f32, ties])
    f16_bits = f32.astype(np.float16).view(np.uint16)
    bf16_bits = torch.from_numpy(f32.copy()).bfloat16().view(torch.int16).numpy().view(np.uint16)
    return {
        "f32_bits": [int(b) for b in f32.view(np.uint32)],
        "f16_bits": [int(b) for b in f16_bits],
        "bf16_bits": [int(b) for b in bf16_bits],
    }


def write_safetensors_by_hand(path, tensors, metadata):
    """The safetensors layout (u64 LE header size, JSON header, raw LE data) packed with struct, no library."""
    names = {"float32": "F32", "float16": "F16", "float64": "F64", "int64": "I64", "int32": "I32"}
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, arr in tensors.items():
        if isinstance(arr, torch.Tensor):  # bfloat16 has no numpy dtype: raw bits via int16
            raw, dtype, shape = arr.contiguous().view(torch.int16).numpy().astype("<u2").tobytes(), "BF16", list(arr.shape)
        else:
            raw, dtype, shape = arr.astype(arr.dtype.newbyteorder("<")).tobytes(), names[arr.dtype.name], list(arr.shape)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = small_state_dict()
    torch.save(sd, os.path.join(OUT, "state_dict.pt"))

    doubled = collections.OrderedDict((k, v.detach() * 2) for k, v in sd.items())
    args = argparse.Namespace(model="DiT-XL/2", image_size=256, global_seed=0, lr=1e-4)
    torch.save({"model": doubled, "ema": sd, "opt": {}, "args": args}, os.path.join(OUT, "wrapped.pt"))
    torch.save({"model": doubled, "steps": 10}, os.path.join(OUT, "model_only.pt"))

    g = torch.Generator().manual_seed(99)
    routers = collections.OrderedDict((f"{i}.prob", torch.randn(8, generator=g)) for i in range(3))
    opt = {"state": {0: {"step": torch.tensor(3.0), "exp_avg": torch.randn(8, generator=g)}},
           "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "params": [0, 1, 2], "amsgrad": False,
                             "name": None}]}
    torch.save({"routers": routers, "opt": opt,
                "args": argparse.Namespace(lr=1e-3, model="DiT-XL/2", num_sampling_steps=20)},
               os.path.join(OUT, "router.pt"))

    torch.save({"weight": torch.ones(2), "payload": Evil()}, os.path.join(OUT, "malicious.pt"))
    torch.save({"weight": torch.ones(2)}, os.path.join(OUT, "legacy.pt"), _use_new_zipfile_serialization=False)
    with zipfile.ZipFile(os.path.join(OUT, "no_pickle.pt"), "w") as z:
        z.writestr("archive/version", "3\n")

    expected = {k: expected_entry(v) for k, v in sd.items()}
    expected_router = {k: expected_entry(v) for k, v in routers.items()}
    expected_router["opt.exp_avg"] = expected_entry(opt["state"][0]["exp_avg"])
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"state_dict": expected, "router": expected_router}, f)

    g = torch.Generator().manual_seed(5)
    st = collections.OrderedDict()
    st["w32"] = torch.randn(3, 4, generator=g).numpy()
    st["w16"] = torch.randn(5, generator=g).numpy().astype(np.float16)
    st["wbf16"] = torch.randn(2, 3, generator=g).bfloat16()
    st["w64"] = torch.randn(2, 2, generator=g).double().numpy()
    st["i64"] = np.array([-3, 0, 7, 1 << 20], dtype=np.int64)
    st["i32"] = np.array([[1, -2], [3, 4]], dtype=np.int32)
    st["empty"] = np.zeros((0, 3), dtype=np.float32)
    write_safetensors_by_hand(os.path.join(OUT, "reference.safetensors"), st,
                              {"format": "pt", "note": "quote \" backslash \\ unicode \u00e9"})
    with open(os.path.join(OUT, "reference_safetensors.json"), "w") as f:
        json.dump({k: expected_entry(v if isinstance(v, torch.Tensor) else torch.from_numpy(v)) for k, v in st.items()},
                  f)

    with open(os.path.join(OUT, "half_conversions.json"), "w") as f:
        json.dump(half_conversion_cases(), f)


if __name__ == "__main__":
    main()
