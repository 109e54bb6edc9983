"""PyTorch reference of the two latent decoders, written from docs/vae.md (no diffusers, no taesd package):

- the decoder of diffusers' AutoencoderKL (Stable Diffusion's VAE), modules and parameter names as diffusers names
  them, so state_dict() has the keys of diffusion_pytorch_model.safetensors (post_quant_conv.* and decoder.*);
- the TAESD decoder, an nn.Sequential numbered as taesd_decoder.pth.

Both decode the diffusion model's latents: SdVaeDecoderRef.decode(z) = decoder(post_quant_conv(z / scaling)),
TaesdDecoderRef(z) in [0, 1] (decode() maps it to [-1, 1], as diffusers' AutoencoderTiny does).
"""
import torch
import torch.nn.functional as F
from torch import nn

SD_VAE = dict(latent_channels=4, out_channels=3, block_out_channels=(128, 256, 512, 512), layers_per_block=2,
              groups=32, eps=1e-6, scaling=0.18215)
SD_VAE_DECODER_PARAMETERS = 49_490_179  # decoder.* only; post_quant_conv adds 4 * 4 + 4
TAESD_PARAMETERS = 1_222_531


class ResnetBlock2D(nn.Module):
    """norm1 -> SiLU -> conv1 -> norm2 -> SiLU -> conv2, plus x (through a 1x1 conv_shortcut where channels change)."""

    def __init__(self, cin, cout, groups, eps):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, cout, eps=eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class Attention(nn.Module):
    """One head over all pixels: GroupNorm, q/k/v linears, softmax(q k^T / sqrt(C)) v, to_out linear, residual."""

    def __init__(self, channels, groups, eps):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, channels, eps=eps)
        self.to_q = nn.Linear(channels, channels)
        self.to_k = nn.Linear(channels, channels)
        self.to_v = nn.Linear(channels, channels)
        self.to_out = nn.ModuleList([nn.Linear(channels, channels), nn.Dropout(0.0)])

    def forward(self, x):
        b, c, h, w = x.shape
        t = self.group_norm(x).reshape(b, c, h * w).transpose(1, 2)  # [b, T, C]
        q, k, v = self.to_q(t), self.to_k(t), self.to_v(t)
        p = torch.softmax(q @ k.transpose(1, 2) / (c ** 0.5), dim=-1)
        o = self.to_out[0](p @ v)
        return x + o.transpose(1, 2).reshape(b, c, h, w)


class MidBlock(nn.Module):
    def __init__(self, channels, groups, eps):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(channels, channels, groups, eps) for _ in range(2)])
        self.attentions = nn.ModuleList([Attention(channels, groups, eps)])

    def forward(self, x):
        return self.resnets[1](self.attentions[0](self.resnets[0](x)))


class Upsample2D(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class UpDecoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, groups, eps, upsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if j == 0 else cout, cout, groups, eps) for j in range(layers)])
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if upsample else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        return x if self.upsamplers is None else self.upsamplers[0](x)


class Decoder(nn.Module):
    def __init__(self, latent_channels, out_channels, block_out_channels, layers_per_block, groups, eps):
        super().__init__()
        rev = list(reversed(block_out_channels))
        self.conv_in = nn.Conv2d(latent_channels, rev[0], 3, padding=1)
        self.mid_block = MidBlock(rev[0], groups, eps)
        blocks, cin = [], rev[0]
        for i, cout in enumerate(rev):
            blocks.append(UpDecoderBlock2D(cin, cout, layers_per_block + 1, groups, eps, i < len(rev) - 1))
            cin = cout
        self.up_blocks = nn.ModuleList(blocks)
        self.conv_norm_out = nn.GroupNorm(groups, cin, eps=eps)
        self.conv_out = nn.Conv2d(cin, out_channels, 3, padding=1)

    def forward(self, z, trace=None):
        x = self.mid_block(self.conv_in(z))
        if trace is not None:
            trace["mid"] = x
        for block in self.up_blocks:
            x = block(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class SdVaeDecoderRef(nn.Module):
    """post_quant_conv + decoder, the part of AutoencoderKL that vae.decode runs."""

    def __init__(self, latent_channels, out_channels, block_out_channels, layers_per_block, groups, eps, scaling):
        super().__init__()
        self.scaling = scaling
        self.post_quant_conv = nn.Conv2d(latent_channels, latent_channels, 1)
        self.decoder = Decoder(latent_channels, out_channels, block_out_channels, layers_per_block, groups, eps)

    def decode(self, latents, trace=None):
        return self.decoder(self.post_quant_conv(latents / self.scaling), trace)


def taesd_conv(cin, cout, bias=True):
    return nn.Conv2d(cin, cout, 3, padding=1, bias=bias)


class Clamp(nn.Module):
    def forward(self, x):
        return torch.tanh(x / 3) * 3


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Sequential(taesd_conv(c, c), nn.ReLU(), taesd_conv(c, c), nn.ReLU(), taesd_conv(c, c))
        self.skip = nn.Identity()
        self.fuse = nn.ReLU()

    def forward(self, x):
        return self.fuse(self.conv(x) + self.skip(x))


def taesd_decoder(latent_channels=4, c=64):
    """Indices as in taesd_decoder.pth: 0 Clamp, 1 conv, 2 ReLU, 3-5 Blocks, 6 Upsample, 7 conv (no bias), ..."""
    layers = [Clamp(), taesd_conv(latent_channels, c), nn.ReLU()]
    for stage, blocks in enumerate((3, 3, 3, 1)):
        layers += [Block(c) for _ in range(blocks)]
        if stage < 3:
            layers += [nn.Upsample(scale_factor=2), taesd_conv(c, c, bias=False)]
    layers.append(taesd_conv(c, 3))
    return nn.Sequential(*layers)


def compvis_name(name, up_blocks):
    """A diffusers AutoencoderKL key in the original CompVis naming (hand-written from the two module trees)."""
    parts = name.split(".")
    if parts[:2] == ["decoder", "up_blocks"]:
        i = up_blocks - 1 - int(parts[2])
        if parts[3] == "resnets":
            rest = ["nin_shortcut" if p == "conv_shortcut" else p for p in parts[5:]]
            return ".".join(["decoder", "up", str(i), "block", parts[4]] + rest)
        return ".".join(["decoder", "up", str(i), "upsample"] + parts[5:])
    if parts[:2] == ["decoder", "mid_block"]:
        if parts[2] == "resnets":
            return ".".join(["decoder", "mid", "block_%d" % (int(parts[3]) + 1)] + parts[4:])
        sub = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out": "proj_out"}[parts[4]]
        rest = parts[6:] if parts[4] == "to_out" else parts[5:]
        return ".".join(["decoder", "mid", "attn_1", sub] + rest)
    if name.startswith("decoder.conv_norm_out."):
        return "decoder.norm_out." + parts[-1]
    return name
