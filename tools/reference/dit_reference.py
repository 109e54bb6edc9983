"""Independent PyTorch reference of DiT and its diffusion schedule, written from docs/algorithms.md section A.

The model's parameter names are facebookresearch/DiT's checkpoint keys, so a state dict saved from it loads
into any DiT implementation. The schedule (betas, respacing, DDIM and DDPM steps) is computed in float64.
Run with Debian's /usr/bin/python3 (torch 1.13, numpy).
"""
import math

import numpy as np
import torch
from torch import nn

FREQUENCY_DIM = 256
MAX_PERIOD = 10000.0


# ----------------------------------------------------------------------------------------------------------------
# Fixed embeddings
# ----------------------------------------------------------------------------------------------------------------

def timestep_frequencies(t, dim=FREQUENCY_DIM):
    """[len(t), dim] float32: [cos(t f_k), sin(t f_k)] with f_k = exp(-ln(10000) k / half), k < half (cos first)."""
    half = dim // 2
    k = torch.arange(half, dtype=torch.float32)
    freqs = torch.exp(-math.log(MAX_PERIOD) * k / half)
    args = t.to(torch.float32)[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


def pos_embed_2d(hidden, grid):
    """[grid*grid, hidden] float32 table, computed in float64. Token n = i*grid + j (row i, column j);
    with d = hidden/4 and w_k = 10000^(-k/d): [sin(j w), cos(j w), sin(i w), cos(i w)] (column first)."""
    assert hidden % 4 == 0
    d = hidden // 4
    omega = 1.0 / MAX_PERIOD ** (np.arange(d, dtype=np.float64) / d)
    table = np.zeros((grid * grid, hidden), dtype=np.float64)
    for i in range(grid):
        for j in range(grid):
            n = i * grid + j
            table[n, 0:d] = np.sin(j * omega)
            table[n, d:2 * d] = np.cos(j * omega)
            table[n, 2 * d:3 * d] = np.sin(i * omega)
            table[n, 3 * d:4 * d] = np.cos(i * omega)
    return torch.from_numpy(table.astype(np.float32))


def modulate(x, shift, scale):
    """x [B,T,D] * (1 + scale[B,D]) + shift[B,D], broadcast over tokens."""
    return x * (1 + scale[:, None, :]) + shift[:, None, :]


# ----------------------------------------------------------------------------------------------------------------
# Modules (attribute names = checkpoint keys)
# ----------------------------------------------------------------------------------------------------------------

class PatchEmbed(nn.Module):
    """Conv2d(C->D, kernel p, stride p) then flatten + transpose: tokens in row-major grid order."""

    def __init__(self, patch, in_channels, hidden, device=None):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, hidden, kernel_size=patch, stride=patch, bias=True, device=device)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class TimestepEmbedder(nn.Module):
    """256-d sinusoidal features -> Linear -> SiLU -> Linear (keys mlp.0, mlp.2)."""

    def __init__(self, hidden, device=None):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(FREQUENCY_DIM, hidden, device=device), nn.SiLU(),
                                 nn.Linear(hidden, hidden, device=device))

    def forward(self, t):
        return self.mlp(timestep_frequencies(t).to(self.mlp[0].weight.device))


class LabelEmbedder(nn.Module):
    """Table of num_classes + 1 rows; the last row is the null (unconditional) class. Eval only: no label drop."""

    def __init__(self, num_classes, hidden, device=None):
        super().__init__()
        self.embedding_table = nn.Embedding(num_classes + 1, hidden, device=device)

    def forward(self, y):
        return self.embedding_table(y)


class Attention(nn.Module):
    """qkv rows [0:D) q, [D:2D) k, [2D:3D) v; head h owns dims [h*hd, (h+1)*hd) of each. Then proj."""

    def __init__(self, hidden, heads, device=None):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden, bias=True, device=device)
        self.proj = nn.Linear(hidden, hidden, device=device)

    def forward(self, x):
        b, n, d = x.shape
        hd = d // self.heads
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4)  # 3,B,heads,T,hd
        q, k, v = qkv[0], qkv[1], qkv[2]
        weights = torch.softmax((q @ k.transpose(-2, -1)) * hd ** -0.5, dim=-1)
        out = (weights @ v).transpose(1, 2).reshape(b, n, d)
        return self.proj(out)


class Mlp(nn.Module):
    """fc1 D->4D, tanh-approximated GELU, fc2 4D->D."""

    def __init__(self, hidden, mlp_hidden, device=None):
        super().__init__()
        self.fc1 = nn.Linear(hidden, mlp_hidden, device=device)
        self.act = nn.GELU(approximate="tanh")
        self.fc2 = nn.Linear(mlp_hidden, hidden, device=device)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def _layer_norm(hidden):
    return nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)


class DiTBlock(nn.Module):
    """adaLN-Zero block. Modulation chunks in order [shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp]."""

    def __init__(self, hidden, heads, mlp_ratio, device=None):
        super().__init__()
        self.norm1 = _layer_norm(hidden)
        self.attn = Attention(hidden, heads, device=device)
        self.norm2 = _layer_norm(hidden)
        self.mlp = Mlp(hidden, mlp_ratio * hidden, device=device)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 6 * hidden, device=device))

    def forward_features(self, x, c):
        """Returns (x_out, a, m): a and m are the attention and MLP features (before their gates)."""
        sh_msa, sc_msa, g_msa, sh_mlp, sc_mlp, g_mlp = self.adaLN_modulation(c).chunk(6, dim=1)
        a = self.attn(modulate(self.norm1(x), sh_msa, sc_msa))
        x = x + g_msa[:, None, :] * a
        m = self.mlp(modulate(self.norm2(x), sh_mlp, sc_mlp))
        x = x + g_mlp[:, None, :] * m
        return x, a, m

    def forward(self, x, c):
        return self.forward_features(x, c)[0]


class FinalLayer(nn.Module):
    """[shift, scale] = chunk2(Linear(SiLU(c))) (shift first); Linear(modulate(LN(x))) -> p*p*C_out per token."""

    def __init__(self, hidden, patch, out_channels, device=None):
        super().__init__()
        self.norm_final = _layer_norm(hidden)
        self.linear = nn.Linear(hidden, patch * patch * out_channels, device=device)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 2 * hidden, device=device))

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(self.norm_final(x), shift, scale))


class DiT(nn.Module):
    def __init__(self, input_size=32, patch=2, in_channels=4, hidden=1152, depth=28, heads=16, mlp_ratio=4,
                 num_classes=1000, learn_sigma=True, device=None):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = 2 * in_channels if learn_sigma else in_channels
        self.patch = patch
        self.num_classes = num_classes
        grid = input_size // patch
        self.x_embedder = PatchEmbed(patch, in_channels, hidden, device=device)
        self.t_embedder = TimestepEmbedder(hidden, device=device)
        self.y_embedder = LabelEmbedder(num_classes, hidden, device=device)
        pe = pos_embed_2d(hidden, grid)[None] if device is None else torch.empty(1, grid * grid, hidden, device=device)
        self.pos_embed = nn.Parameter(pe, requires_grad=False)
        self.blocks = nn.ModuleList([DiTBlock(hidden, heads, mlp_ratio, device=device) for _ in range(depth)])
        self.final_layer = FinalLayer(hidden, patch, self.out_channels, device=device)

    def embed(self, x, t, y):
        """(tokens [B,T,D] = PatchEmbed(x) + pos_embed, c [B,D] = t_embedder(t) + y_embedder(y))."""
        return self.x_embedder(x) + self.pos_embed, self.t_embedder(t) + self.y_embedder(y)

    def unpatchify(self, tokens):
        """[B, T, p*p*C] -> [B, C, H, W]: reshape (B,h,w,p,q,C), einsum nhwpqc->nchpwq."""
        b, n, _ = tokens.shape
        p, c = self.patch, self.out_channels
        h = w = int(round(math.sqrt(n)))
        assert h * w == n
        x = tokens.reshape(b, h, w, p, p, c)
        x = torch.einsum("nhwpqc->nchpwq", x)
        return x.reshape(b, c, h * p, w * p)

    def forward(self, x, t, y):
        tokens, c = self.embed(x, t, y)
        for block in self.blocks:
            tokens = block(tokens, c)
        return self.unpatchify(self.final_layer(tokens, c))

    def forward_with_cfg(self, x, t, y, scale):
        """x [2B] of which only the first half is used (duplicated); y [2B] = [labels; null]. Guides channels
        0..2 only: e = e_u + s (e_c - e_u), copied to both halves; channel 3 and the variance stay per half."""
        half = x[: len(x) // 2]
        out = self.forward(torch.cat([half, half], dim=0), t, y)
        guided, rest = out[:, :3], out[:, 3:]
        cond, uncond = guided.chunk(2, dim=0)
        mixed = uncond + scale * (cond - uncond)
        return torch.cat([torch.cat([mixed, mixed], dim=0), rest], dim=1)


def dit_parameter_count(depth, hidden, heads, patch, in_channels=4, input_size=32, num_classes=1000,
                        learn_sigma=True, mlp_ratio=4):
    """Analytic parameter count, pos_embed included (it is in the state dict)."""
    out_c = 2 * in_channels if learn_sigma else in_channels
    tokens = (input_size // patch) ** 2
    d, f = hidden, mlp_ratio * hidden
    per_block = (3 * d * d + 3 * d) + (d * d + d) + (f * d + f) + (d * f + d) + (6 * d * d + 6 * d)
    return ((in_channels * patch * patch * d + d) + tokens * d
            + (FREQUENCY_DIM * d + d) + (d * d + d)
            + (num_classes + 1) * d
            + depth * per_block
            + (patch * patch * out_c * d + patch * patch * out_c) + (2 * d * d + 2 * d))


# ----------------------------------------------------------------------------------------------------------------
# Diffusion schedule (float64)
# ----------------------------------------------------------------------------------------------------------------

NUM_TIMESTEPS = 1000


def base_betas():
    return np.linspace(1e-4, 0.02, NUM_TIMESTEPS, dtype=np.float64)


def base_alphas_cumprod():
    return np.cumprod(1.0 - base_betas())


def space_timesteps(num_timesteps, steps):
    """The "N" respacing: stride (T-1)/(N-1) accumulated in a Python float, Python round (half to even)."""
    if steps == 1:
        return [0]
    stride = (num_timesteps - 1) / (steps - 1)
    cur = 0.0
    taken = []
    for _ in range(steps):
        taken.append(round(cur))
        cur += stride
    return sorted(set(taken))


class SpacedSchedule:
    """The respaced schedule of SpacedDiffusion: beta'_i = 1 - abar[map[i]] / abar[map[i-1]], then every derived
    quantity recomputed from beta' as GaussianDiffusion does (abar' = cumprod(1 - beta'))."""

    def __init__(self, steps):
        abar = base_alphas_cumprod()
        self.timestep_map = np.array(space_timesteps(NUM_TIMESTEPS, steps), dtype=np.int64)
        betas, last = [], 1.0
        for t in self.timestep_map:
            betas.append(1.0 - abar[t] / last)
            last = abar[t]
        self.betas = np.array(betas, dtype=np.float64)
        alphas = 1.0 - self.betas
        self.alphas_cumprod = np.cumprod(alphas)
        self.alphas_cumprod_prev = np.append(1.0, self.alphas_cumprod[:-1])
        self.posterior_variance = self.betas * (1.0 - self.alphas_cumprod_prev) / (1.0 - self.alphas_cumprod)
        self.posterior_log_variance_clipped = np.log(
            np.append(self.posterior_variance[1], self.posterior_variance[1:]))
        self.posterior_mean_coef1 = self.betas * np.sqrt(self.alphas_cumprod_prev) / (1.0 - self.alphas_cumprod)
        self.posterior_mean_coef2 = (1.0 - self.alphas_cumprod_prev) * np.sqrt(alphas) / (1.0 - self.alphas_cumprod)

    def __len__(self):
        return len(self.timestep_map)

    def predict_x0(self, i, x, eps):
        ab = self.alphas_cumprod[i]
        return math.sqrt(1.0 / ab) * x - math.sqrt(1.0 / ab - 1.0) * eps

    def ddim_step(self, i, x, model_out):
        """DDIM eta=0, clip_denoised=False. x, model_out float64 tensors; returns x_{i-1} (float64)."""
        ab = self.alphas_cumprod[i]
        ab_prev = self.alphas_cumprod_prev[i]
        eps = model_out[:, :x.shape[1]]
        x0 = self.predict_x0(i, x, eps)
        eps = (math.sqrt(1.0 / ab) * x - x0) / math.sqrt(1.0 / ab - 1.0)
        return x0 * math.sqrt(ab_prev) + math.sqrt(1.0 - ab_prev) * eps

    def ddpm_step(self, i, x, model_out, noise):
        """p_sample with learned-range variance, clip_denoised=False. float64 tensors; returns x_{i-1}."""
        c = x.shape[1]
        eps, v = model_out[:, :c], model_out[:, c:2 * c]
        frac = (v + 1.0) / 2.0
        log_var = frac * math.log(self.betas[i]) + (1.0 - frac) * self.posterior_log_variance_clipped[i]
        x0 = self.predict_x0(i, x, eps)
        mean = self.posterior_mean_coef1[i] * x0 + self.posterior_mean_coef2[i] * x
        return mean + (1.0 if i != 0 else 0.0) * torch.exp(0.5 * log_var) * noise
