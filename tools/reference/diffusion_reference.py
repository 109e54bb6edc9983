#!/usr/bin/python3
"""Reference schedules and sampler trajectories for io.ditcache.diffusion.

Written from docs/algorithms.md section A ("Diffusion") and the DPM-Solver++ paper (Lu et al. 2022,
Algorithm 2), not from DiT's code. Run with Debian's interpreter (torch 1.13, numpy):

    /usr/bin/python3 tools/reference/diffusion_reference.py [OUT_DIR]

OUT_DIR defaults to src/test/resources/diffusion. Fixture format (read by DiffusionFixture.java): one record per
line, "key v1 v2 ...", '#' starts a comment line. Float32 values are written with 9 significant digits (exact
round trip), float64 values with 17.

The model is an analytic stand-in: eps = k(t)*x + 0.1*tanh(x) + 0.01*t/1000 with k(t) = sqrt(1-abar_t)/(0.25*abar_t
+ 1 - abar_t) (the exact eps for data ~ N(0, 0.5^2), so trajectories stay O(1)) and, for the learned variance,
v = 0.3*sin(x).
DDIM and DDPM mimic DiT's arithmetic: schedule in float64, coefficients cast to float32 per step, the update in
float32 torch ops. DPM-Solver++(2M) is the paper's Algorithm 2 in float64 (model included), as an independent check.
"""
import os
import sys

import numpy as np
import torch

T = 1000
SHAPE = (2, 4, 3, 3)  # B, C, H, W: tiny, the arithmetic is elementwise


def linear_schedule():
    betas = np.linspace(1e-4, 0.02, T, dtype=np.float64)
    return betas, np.cumprod(1.0 - betas)


def space_timesteps(num_timesteps, n):
    stride = 1 if n <= 1 else (num_timesteps - 1) / (n - 1)
    cur, taken = 0.0, []
    for _ in range(n):
        taken.append(round(cur))
        cur += stride
    return sorted(set(taken))


class Spaced:
    """The spaced schedule: spec formulas, all float64."""

    def __init__(self, n):
        _, base_ac = linear_schedule()
        self.map = space_timesteps(T, n)
        betas, last = [], 1.0
        for t in self.map:
            betas.append(1.0 - base_ac[t] / last)
            last = base_ac[t]
        b = np.array(betas, dtype=np.float64)
        ac = np.cumprod(1.0 - b)
        prev = np.append(1.0, ac[:-1])
        pv = b * (1.0 - prev) / (1.0 - ac)
        self.arrays = {
            "betas": b,
            "alphas_cumprod": ac,
            "alphas_cumprod_prev": prev,
            "sqrt_recip_alphas_cumprod": np.sqrt(1.0 / ac),
            "sqrt_recipm1_alphas_cumprod": np.sqrt(1.0 / ac - 1.0),
            "posterior_variance": pv,
            "posterior_log_variance_clipped": np.log(np.append(pv[1], pv[1:])),
            "posterior_mean_coef1": b * np.sqrt(prev) / (1.0 - ac),
            "posterior_mean_coef2": (1.0 - prev) * np.sqrt(1.0 - b) / (1.0 - ac),
            "log_betas": np.log(b),
        }

    def f32(self, name, i):
        """A coefficient at spaced index i as a float32 scalar tensor (how DiT extracts it)."""
        return torch.tensor(self.arrays[name][i], dtype=torch.float64).float()


def model(x, t):
    """Analytic stand-in for DiT: the exact eps of data ~ N(0, 0.5^2) plus a nonlinear, t-dependent perturbation."""
    _, base_ac = linear_schedule()
    k = float(np.sqrt(1.0 - base_ac[t]) / (0.25 * base_ac[t] + 1.0 - base_ac[t]))
    eps = k * x + 0.1 * torch.tanh(x) + 0.01 * t / 1000
    v = 0.3 * torch.sin(x)
    return torch.cat([eps, v], dim=1)


def predict_x0(s, i, x, eps):
    return s.f32("sqrt_recip_alphas_cumprod", i) * x - s.f32("sqrt_recipm1_alphas_cumprod", i) * eps


def ddim(s, x_t):
    x, traj = x_t.clone(), {}
    c = x.shape[1]
    for i in reversed(range(len(s.map))):
        eps = model(x, s.map[i])[:, :c]
        x0 = predict_x0(s, i, x, eps)
        eps = (s.f32("sqrt_recip_alphas_cumprod", i) * x - x0) / s.f32("sqrt_recipm1_alphas_cumprod", i)
        abar_prev = s.f32("alphas_cumprod_prev", i)
        x = x0 * torch.sqrt(abar_prev) + torch.sqrt(1 - abar_prev) * eps
        traj[i] = x
    return traj


def ddpm(s, x_t, gen):
    x, traj, noises = x_t.clone(), {}, {}
    c = x.shape[1]
    for i in reversed(range(len(s.map))):
        out = model(x, s.map[i])
        eps, v = out[:, :c], out[:, c:]
        frac = (v + 1) / 2
        log_var = frac * s.f32("log_betas", i) + (1 - frac) * s.f32("posterior_log_variance_clipped", i)
        x0 = predict_x0(s, i, x, eps)
        mean = s.f32("posterior_mean_coef1", i) * x0 + s.f32("posterior_mean_coef2", i) * x
        if i > 0:
            z = torch.randn(x.shape, generator=gen)
            noises[i] = z
            x = mean + torch.exp(0.5 * log_var) * z
        else:
            x = mean
        traj[i] = x
    return traj, noises


def dpm_solver_pp_2m(s, x_t, lower_order_final=True):
    """Algorithm 2 of DPM-Solver++ on times t_0 = N-1 > ... > t_{N-1} = 0 > t_N = clean, float64 throughout.
    The first step and the step onto sigma = 0 (t_N) are first order; the latter returns the data prediction.
    With lower_order_final the step onto t_{N-1} (timestep 0) is first order too."""
    n = len(s.map)
    ac = np.append(s.arrays["alphas_cumprod"][::-1], 1.0)  # ac[k] at time t_k, k = 0..N
    alpha, sigma = np.sqrt(ac), np.sqrt(1.0 - ac)
    with np.errstate(divide="ignore"):
        lam = np.log(alpha) - np.log(sigma)
    c = x_t.shape[1]

    def data_pred(x, k):
        eps = model(x, s.map[n - 1 - k])[:, :c]
        return (x - sigma[k] * eps) / alpha[k]

    x = x_t.double()
    traj = {}
    prev_x0 = None
    for k in range(1, n + 1):  # step from t_{k-1} to t_k
        h = lam[k] - lam[k - 1]
        x0 = data_pred(x, k - 1)
        if prev_x0 is None or k == n or (lower_order_final and k == n - 1):
            d = x0
        else:
            r = (lam[k - 1] - lam[k - 2]) / h
            d = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * prev_x0
        x = (sigma[k] / sigma[k - 1]) * x - alpha[k] * (np.exp(-h) - 1.0) * d
        prev_x0 = x0
        traj[n - k] = x.float()
    return traj


def fmt32(t):
    return " ".join("%.9g" % v for v in t.flatten().tolist())


def fmt64(a):
    return " ".join("%.17g" % v for v in np.asarray(a, dtype=np.float64).flatten().tolist())


def write(path, lines):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def trajectory_fixture(out_dir, name, s, x_t, traj, noises=None):
    lines = ["# " + name + ": written by tools/reference/diffusion_reference.py",
             "steps %d" % len(s.map),
             "map " + " ".join(str(t) for t in s.map),
             "shape " + " ".join(str(d) for d in x_t.shape),
             "xT " + fmt32(x_t)]
    for i in sorted(traj, reverse=True):
        lines.append("x.%d %s" % (i, fmt32(traj[i])))
    for i in sorted(noises or {}, reverse=True):
        lines.append("noise.%d %s" % (i, fmt32(noises[i])))
    write(os.path.join(out_dir, name + ".txt"), lines)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/diffusion"
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)

    betas, ac = linear_schedule()
    lines = ["# linear schedule and spaced schedules: written by tools/reference/diffusion_reference.py",
             "base.betas " + fmt64(betas), "base.alphas_cumprod " + fmt64(ac)]
    for n in (7, 10, 19, 20, 50, 250, 1000):  # 7 and 19 hit exact .5 ties (round half to even)
        lines.append("map.%d %s" % (n, " ".join(str(t) for t in space_timesteps(T, n))))
    s20 = Spaced(20)
    for key, arr in s20.arrays.items():
        lines.append("spaced20.%s %s" % (key, fmt64(arr)))
    write(os.path.join(out_dir, "schedule.txt"), lines)

    gen = torch.Generator().manual_seed(20240601)
    for n in (10, 20):
        s = Spaced(n)
        x_t = torch.randn(SHAPE, generator=gen)
        trajectory_fixture(out_dir, "ddim-%d" % n, s, x_t, ddim(s, x_t))
    s = Spaced(50)
    x_t = torch.randn(SHAPE, generator=gen)
    traj, noises = ddpm(s, x_t, gen)
    trajectory_fixture(out_dir, "ddpm-50", s, x_t, traj, noises)
    s = Spaced(20)
    x_t = torch.randn(SHAPE, generator=gen)
    trajectory_fixture(out_dir, "dpmpp2m-20", s, x_t, dpm_solver_pp_2m(s, x_t))
    x_t = torch.randn(SHAPE, generator=gen)
    trajectory_fixture(out_dir, "dpmpp2m-plain-20", s, x_t, dpm_solver_pp_2m(s, x_t, lower_order_final=False))


if __name__ == "__main__":
    main()
