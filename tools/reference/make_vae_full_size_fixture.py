"""Writes src/test/resources/vae/full_size.safetensors: the FULL-size SD-VAE and TAESD decoders of vae_reference.py,
with the spec weights of spec_weights.py (no weights file needed), decoding small latents from the same spec.

    /usr/bin/python3 tools/reference/make_vae_full_size_fixture.py [output_dir] [--stats]

Keys (F32): sd_latents [1,4,4,4] -> sd_images [1,3,32,32]; taesd_latents [1,4,8,8] -> taesd_images [1,3,64,64]
(in [-1, 1] as AutoencoderTiny returns them); and probes of the weight spec, the first 8 values of one tensor of each
kind: probe_conv (decoder.conv_in.weight), probe_norm (decoder.conv_norm_out.weight), probe_bias
(decoder.conv_in.bias). Deterministic: only the `revision` metadata changes between commits. --stats prints the
standard deviation and max |x| after every block, to show the activations keep their scale.
"""
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import spec_weights  # noqa: E402
import vae_reference as ref  # noqa: E402
from make_fixtures import git_revision  # noqa: E402

SD_LATENT_SHAPE = (1, 4, 4, 4)
TAESD_LATENT_SHAPE = (1, 4, 8, 8)
LATENT_SCALE = 2.0
PROBES = {"probe_conv": ("decoder.conv_in.weight", (512, 4, 3, 3)), "probe_norm": ("decoder.conv_norm_out.weight", (128,)),
          "probe_bias": ("decoder.conv_in.bias", (512,))}


def f32(t):
    return t.detach().to(torch.float32).contiguous().numpy()


def watch(modules):
    """Forward hooks printing std and max |x| of each module's output."""
    def hook(name):
        return lambda m, i, o: print("  %-28s %-18s std %8.4f  max|x| %8.4f" % (
            name, list(o.shape), float(o.std()), float(o.abs().max())))
    for name, m in modules:
        m.register_forward_hook(hook(name))


def main():
    args = [a for a in sys.argv[1:] if a != "--stats"]
    stats = "--stats" in sys.argv[1:]
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    out_dir = args[0] if args else os.path.join(root, "src", "test", "resources", "vae")
    os.makedirs(out_dir, exist_ok=True)

    sd = spec_weights.fill(ref.SdVaeDecoderRef(**ref.SD_VAE).eval())
    decoder = sum(p.numel() for p in sd.decoder.parameters())
    assert decoder == ref.SD_VAE_DECODER_PARAMETERS, decoder
    taesd = spec_weights.fill(ref.taesd_decoder().eval())
    assert sum(p.numel() for p in taesd.parameters()) == ref.TAESD_PARAMETERS
    if stats:
        dec = sd.decoder
        watch([("conv_in", dec.conv_in), ("mid.resnets.0", dec.mid_block.resnets[0]),
               ("mid.attentions.0", dec.mid_block.attentions[0]), ("mid.resnets.1", dec.mid_block.resnets[1])]
              + [("up_blocks.%d.resnets.%d" % (i, j), r) for i, b in enumerate(dec.up_blocks)
                 for j, r in enumerate(b.resnets)] + [("conv_out", dec.conv_out)])
        watch([("taesd.%d" % i, m) for i, m in enumerate(taesd) if i in (2, 5, 7, 10, 12, 15, 17, 18, 19)])

    g = {}
    with torch.no_grad():
        z = torch.from_numpy(spec_weights.values("sd_latents", SD_LATENT_SHAPE, LATENT_SCALE))
        g["sd_latents"] = f32(z)
        g["sd_images"] = f32(sd.decode(z))
        zt = torch.from_numpy(spec_weights.values("taesd_latents", TAESD_LATENT_SHAPE, LATENT_SCALE))
        g["taesd_latents"] = f32(zt)
        g["taesd_images"] = f32(taesd(zt) * 2 - 1)
    state = sd.state_dict()
    for probe, (key, shape) in PROBES.items():
        assert tuple(state[key].shape) == shape, (key, state[key].shape)
        g[probe] = f32(state[key]).reshape(-1)[:8].copy()
    meta = {"generator": "tools/reference/make_vae_full_size_fixture.py", "revision": git_revision(),
            "torch": torch.__version__, "weights": "spec_weights.py (docs/vae.md, Spec weights)"}
    path = os.path.join(out_dir, "full_size.safetensors")
    safetensors_io.write(path, g, meta)
    for k, v in g.items():
        print("%-14s %-16s std %.4f max|x| %.4f" % (k, list(v.shape), float(v.std()), float(np.abs(v).max())))
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
