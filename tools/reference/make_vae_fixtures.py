"""Writes the VAE decoder parity fixtures into src/test/resources/vae/ (see README.md, section VAE).

    /usr/bin/python3 tools/reference/make_vae_fixtures.py [output_dir]

Deterministic: seeded weights (rounded to float16, which is how they are stored) and inputs.
"""
import json
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import vae_reference as ref  # noqa: E402
from make_fixtures import git_revision  # noqa: E402

SEED = 20261202
TINY_SD = dict(latent_channels=4, out_channels=3, block_out_channels=(8, 16, 32, 32), layers_per_block=2, groups=4,
               eps=1e-6, scaling=0.18215)
TINY_TAESD_CHANNELS = 16


def init_weights(module, gen):
    """N(0, 1/fan_in) for weights of rank >= 2, 1 + N(0, 0.01) for norm scales, N(0, 0.0025) for biases and norm
    shifts; every value rounded to float16 so that the float16 files hold exactly what the reference ran."""
    for name, p in module.named_parameters():
        with torch.no_grad():
            if p.dim() >= 2:
                v = torch.randn(p.shape, generator=gen) / (p[0].numel() ** 0.5)
            elif name.endswith("weight"):
                v = 1 + 0.1 * torch.randn(p.shape, generator=gen)
            else:
                v = 0.05 * torch.randn(p.shape, generator=gen)
            p.copy_(v.half().float())


def f32(t):
    return t.detach().to(torch.float32).contiguous().numpy()


def layout(module):
    return [[k, list(v.shape)] for k, v in module.state_dict().items()]


def check_full_sizes():
    sd = ref.SdVaeDecoderRef(**ref.SD_VAE)
    decoder = sum(p.numel() for p in sd.decoder.parameters())
    assert decoder == ref.SD_VAE_DECODER_PARAMETERS, decoder
    taesd = ref.taesd_decoder()
    count = sum(p.numel() for p in taesd.parameters())
    assert count == ref.TAESD_PARAMETERS, count
    return {"sd_vae": layout(sd), "sd_vae_decoder_parameters": decoder,
            "taesd": layout(taesd), "taesd_parameters": count}


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "src", "test", "resources", "vae")
    os.makedirs(os.path.join(out_dir, "tiny_sd_vae"), exist_ok=True)
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    meta = {"generator": "tools/reference/make_vae_fixtures.py", "revision": git_revision(), "torch": torch.__version__}

    sd = ref.SdVaeDecoderRef(**TINY_SD).eval()
    init_weights(sd, gen)
    weights = {k: f32(v).astype(np.float16) for k, v in sd.state_dict().items()}
    safetensors_io.write(os.path.join(out_dir, "tiny_sd_vae", "diffusion_pytorch_model.safetensors"), weights, meta)
    config = {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3,
              "latent_channels": TINY_SD["latent_channels"], "block_out_channels": list(TINY_SD["block_out_channels"]),
              "layers_per_block": TINY_SD["layers_per_block"], "norm_num_groups": TINY_SD["groups"],
              "act_fn": "silu", "scaling_factor": TINY_SD["scaling"], "sample_size": 64}
    with open(os.path.join(out_dir, "tiny_sd_vae", "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")

    taesd = ref.taesd_decoder(4, TINY_TAESD_CHANNELS).eval()
    init_weights(taesd, gen)
    torch.save({k: v.half() for k, v in taesd.state_dict().items()}, os.path.join(out_dir, "tiny_taesd_decoder.pth"))

    g = {}
    with torch.no_grad():
        z = torch.randn(2, 4, 8, 8, generator=gen)
        trace = {}
        g["sd_latents"] = f32(z)
        g["sd_images"] = f32(sd.decode(z, trace))
        g["sd_mid"] = f32(trace["mid"])
        zr = torch.randn(1, 4, 6, 10, generator=gen)
        g["sd_latents_rect"] = f32(zr)
        g["sd_images_rect"] = f32(sd.decode(zr))
        zt = 2 * torch.randn(2, 4, 8, 8, generator=gen)  # |z| > 3 in places: the clamp matters
        g["taesd_latents"] = f32(zt)
        g["taesd_images"] = f32(taesd(zt) * 2 - 1)
    safetensors_io.write(os.path.join(out_dir, "golden.safetensors"), g, meta)

    ups = len(TINY_SD["block_out_channels"])
    names = {k: ref.compvis_name(k, ups) for k in sd.state_dict()}
    assert len(set(names.values())) == len(names)
    full = check_full_sizes()
    full["tiny_sd_compvis_names"] = names
    with open(os.path.join(out_dir, "layouts.json"), "w") as f:
        json.dump(full, f, indent=1)
        f.write("\n")
    for k, v in g.items():
        print("%-16s %-16s max|x| %.3f" % (k, list(v.shape), float(np.abs(v).max())))
    print("tiny SD-VAE %d parameters, tiny TAESD %d" % (sum(p.numel() for p in sd.parameters()),
                                                        sum(p.numel() for p in taesd.parameters())))


if __name__ == "__main__":
    main()
