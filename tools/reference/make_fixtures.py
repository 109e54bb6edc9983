"""Writes the DiT parity fixtures into src/test/resources/reference/ (see README.md for every key).

    /usr/bin/python3 tools/reference/make_fixtures.py [output_dir]

Deterministic: seeded weights and inputs; rerunning gives the same tensors.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dit_reference as ref  # noqa: E402
import safetensors_io  # noqa: E402

# The tiny model: small enough that both weight files and the goldens stay well under 1 MB together.
TINY = dict(input_size=8, patch=2, in_channels=4, hidden=32, depth=4, heads=4, mlp_ratio=4, num_classes=10,
            learn_sigma=True)
SEED = 20240601
XL2_PARAMS = 675_129_632
RESPACINGS = (10, 20, 50, 250)


def init_weights(model, gen):
    """Random normal everywhere (adaLN and final layer included, unlike adaLN-Zero) so every path matters."""
    for name, p in model.named_parameters():
        if name == "pos_embed":
            continue
        if name.endswith("bias"):
            std = 0.05
        elif name.startswith("y_embedder"):
            std = 0.5
        elif "attn.qkv" in name:
            std = 0.2
        else:
            std = 0.1
        with torch.no_grad():
            p.copy_(torch.randn(p.shape, generator=gen) * std)


def check_xl2_parameter_count():
    analytic = ref.dit_parameter_count(depth=28, hidden=1152, heads=16, patch=2)
    meta = ref.DiT(depth=28, hidden=1152, heads=16, patch=2, device="meta")
    counted = sum(p.numel() for p in meta.state_dict().values())
    keys = len(meta.state_dict())
    assert analytic == XL2_PARAMS, analytic
    assert counted == XL2_PARAMS, counted
    assert keys == 292, keys
    tiny = ref.dit_parameter_count(**{k: v for k, v in TINY.items() if k not in ("mlp_ratio",)})
    return tiny


def f32(t):
    return t.detach().to(torch.float32).contiguous().numpy()


def git_revision():
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=os.path.dirname(__file__),
                                       stderr=subprocess.DEVNULL).decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def sample_ddim_cfg(model, sched, x_t, labels, scale):
    """DDIM over all spaced steps with DiT's CFG batch [x; x], labels [y; null]. Returns (trajectory of the
    first half [N+1,B,...], model outputs of the first half [N,B,C_out,H,W], model timesteps [N])."""
    b = x_t.shape[0]
    null = torch.full((b,), model.num_classes, dtype=torch.long)
    y = torch.cat([labels, null])
    x = x_t.clone()
    traj, outs, ts = [x.clone()], [], []
    for i in reversed(range(len(sched))):
        t = torch.full((2 * b,), int(sched.timestep_map[i]), dtype=torch.long)
        out = model.forward_with_cfg(torch.cat([x, x]), t, y, scale)[:b]
        x = sched.ddim_step(i, x.double(), out.double()).float()
        traj.append(x.clone())
        outs.append(out)
        ts.append(float(sched.timestep_map[i]))
    return torch.stack(traj), torch.stack(outs), torch.tensor(ts)


def build(out_dir):
    tiny_count = check_xl2_parameter_count()
    gen = torch.Generator().manual_seed(SEED)
    model = ref.DiT(**TINY).eval()
    init_weights(model, gen)
    sd = model.state_dict()
    assert sum(v.numel() for v in sd.values()) == tiny_count
    meta = {"format": "pt", "generator": "tools/reference/make_fixtures.py", "revision": git_revision(),
            "config": "depth=4 hidden=32 heads=4 patch=2 input=8x8x4 learn_sigma num_classes=10", "seed": SEED}

    os.makedirs(out_dir, exist_ok=True)
    # torch.save names the zip's top folder after the file, so save under the final name, then move it in.
    with tempfile.TemporaryDirectory() as tmp:
        tmp_pt = os.path.join(tmp, "tiny_dit.pt")
        torch.save(model.state_dict(), tmp_pt)
        shutil.move(tmp_pt, os.path.join(out_dir, "tiny_dit.pt"))
    safetensors_io.write(os.path.join(out_dir, "tiny_dit.safetensors"), {k: f32(v) for k, v in sd.items()}, meta)

    g = {}
    with torch.no_grad():
        # Fixed embeddings and embedders.
        t_in = torch.tensor([0.0, 1.0, 37.0, 500.0, 999.0])
        g["t_emb_in"] = f32(t_in)
        g["t_freq"] = f32(ref.timestep_frequencies(t_in))
        g["t_emb"] = f32(model.t_embedder(t_in))
        y_in = torch.tensor([0, 3, 9, 10])
        g["y_emb_in"] = f32(y_in)
        g["y_emb"] = f32(model.y_embedder(y_in))
        g["pos_embed"] = f32(model.pos_embed[0])
        g["pos_embed_d64_g4"] = f32(ref.pos_embed_2d(64, 4))

        # Plain forward, batch 2, with block-0 internals.
        x = torch.randn(2, 4, 8, 8, generator=gen)
        t = torch.tensor([999, 17])
        y = torch.tensor([3, 10])
        g["x"], g["t"], g["y"] = f32(x), f32(t), f32(y)
        tokens, c = model.embed(x, t, y)
        out0, a0, m0 = model.blocks[0].forward_features(tokens, c)
        g["block0_in"], g["block0_c"] = f32(tokens), f32(c)
        g["block0_attn"], g["block0_mlp"], g["block0_out"] = f32(a0), f32(m0), f32(out0)
        fwd = model(x, t, y)
        g["forward_out"] = f32(fwd)

        # forward_with_cfg at scale 4: cfg_x is the half batch B; the model runs [x; x] with [y; null].
        cfg_x = torch.randn(2, 4, 8, 8, generator=gen)
        cfg_t = torch.tensor([250, 750])
        cfg_y = torch.tensor([1, 7])
        null = torch.full((2,), TINY["num_classes"], dtype=torch.long)
        cfg_out = model.forward_with_cfg(torch.cat([cfg_x, cfg_x]), torch.cat([cfg_t, cfg_t]),
                                         torch.cat([cfg_y, null]), 4.0)
        g["cfg_x"], g["cfg_t"], g["cfg_y"] = f32(cfg_x), f32(cfg_t), f32(cfg_y)
        g["cfg_scale"] = np.array([4.0], dtype=np.float32)
        g["cfg_out"] = f32(cfg_out)

        # DDIM-10 with CFG 1.5 from fixed noise.
        sched10 = ref.SpacedSchedule(10)
        xt = torch.randn(2, 4, 8, 8, generator=gen)
        labels = torch.tensor([2, 5])
        traj, outs, ts = sample_ddim_cfg(model, sched10, xt, labels, 1.5)
        g["ddim10_xT"], g["ddim10_labels"] = f32(xt), f32(labels)
        g["ddim10_cfg_scale"] = np.array([1.5], dtype=np.float32)
        g["ddim10_traj"], g["ddim10_model_out"], g["ddim10_t"] = f32(traj), f32(outs), f32(ts)

        # One DDPM step (N=50, plain forward) at spaced index 25 and at index 0.
        sched50 = ref.SpacedSchedule(50)
        steps = [25, 0]
        d_y = torch.tensor([4, 8])
        xs, noises, model_outs, results = [], [], [], []
        for i in steps:
            xi = torch.randn(2, 4, 8, 8, generator=gen)
            zi = torch.randn(2, 4, 8, 8, generator=gen)
            mo = model(xi, torch.full((2,), int(sched50.timestep_map[i])), d_y)
            xs.append(xi), noises.append(zi), model_outs.append(mo)
            results.append(sched50.ddpm_step(i, xi.double(), mo.double(), zi.double()).float())
        g["ddpm_step"] = np.array(steps, dtype=np.float32)
        g["ddpm_t"] = np.array([sched50.timestep_map[i] for i in steps], dtype=np.float32)
        g["ddpm_y"] = f32(d_y)
        g["ddpm_x"], g["ddpm_noise"] = f32(torch.stack(xs)), f32(torch.stack(noises))
        g["ddpm_model_out"], g["ddpm_out"] = f32(torch.stack(model_outs)), f32(torch.stack(results))

        # Schedules (float32 copies here; float64/int32 originals in schedule.safetensors).
        g["alphas_cumprod"] = base_f32 = ref.base_alphas_cumprod().astype(np.float32)
        assert base_f32.shape == (1000,)
        sched_f64 = {"betas": ref.base_betas(), "alphas_cumprod": ref.base_alphas_cumprod()}
        for n in RESPACINGS:
            s = ref.SpacedSchedule(n)
            assert len(s) == n
            g["respacing_N%d" % n] = s.timestep_map.astype(np.float32)
            sched_f64["respacing_N%d" % n] = s.timestep_map.astype(np.int32)
            sched_f64["alphas_cumprod_N%d" % n] = s.alphas_cumprod
            sched_f64["betas_N%d" % n] = s.betas

    meta["format"] = "golden"
    safetensors_io.write(os.path.join(out_dir, "golden.safetensors"), g, meta)
    meta["format"] = "schedule"
    safetensors_io.write(os.path.join(out_dir, "schedule.safetensors"), sched_f64, meta)
    return model, g


def self_check(out_dir, model, golden):
    """Re-reads every file and checks the spec's anchor values, so a broken writer cannot ship."""
    pt = torch.load(os.path.join(out_dir, "tiny_dit.pt"))
    st, _ = safetensors_io.read(os.path.join(out_dir, "tiny_dit.safetensors"))
    assert list(pt.keys()) == list(st.keys()) == list(model.state_dict().keys())
    for k, v in pt.items():
        assert np.array_equal(v.numpy(), st[k]), k
    back, _ = safetensors_io.read(os.path.join(out_dir, "golden.safetensors"))
    for k, v in golden.items():
        assert np.array_equal(back[k], v), k
    sched, _ = safetensors_io.read(os.path.join(out_dir, "schedule.safetensors"))
    assert list(sched["respacing_N10"]) == list(range(0, 1000, 111))
    assert list(sched["respacing_N20"][:6]) == [0, 53, 105, 158, 210, 263]
    assert list(sched["respacing_N50"][:5]) == [0, 20, 41, 61, 82] and sched["respacing_N50"][-1] == 999
    # The spaced abar equals the base abar at the mapped timesteps (up to rounding).
    for n in RESPACINGS:
        assert np.allclose(sched["alphas_cumprod_N%d" % n], sched["alphas_cumprod"][sched["respacing_N%d" % n]],
                           rtol=1e-12, atol=0)
    # Guidance leaves channel 3 and the variance per half, and equalises channels 0..2.
    cfg = golden["cfg_out"]
    assert np.array_equal(cfg[:2, :3], cfg[2:, :3]) and not np.allclose(cfg[:2, 3:], cfg[2:, 3:])


def cross_check(model):
    """Checks the reference's hand-written pieces against independent formulations (naive loops, torch MHA)."""
    gen = torch.Generator().manual_seed(1)
    p, c, grid = model.patch, model.out_channels, TINY["input_size"] // TINY["patch"]
    tok = torch.randn(1, grid * grid, p * p * c, generator=gen)
    img = model.unpatchify(tok)
    for i in range(grid):
        for j in range(grid):
            for r in range(p):
                for q in range(p):
                    for ch in range(c):  # channel fastest, then q (column in patch), then r (row in patch)
                        assert img[0, ch, i * p + r, j * p + q] == tok[0, i * grid + j, (r * p + q) * c + ch]
    attn = model.blocks[0].attn
    x = torch.randn(2, grid * grid, TINY["hidden"], generator=gen)
    mha = torch.nn.MultiheadAttention(TINY["hidden"], TINY["heads"], batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(attn.qkv.weight)
        mha.in_proj_bias.copy_(attn.qkv.bias)
        mha.out_proj.weight.copy_(attn.proj.weight)
        mha.out_proj.bias.copy_(attn.proj.bias)
        assert (mha(x, x, x, need_weights=False)[0] - attn(x)).abs().max() < 1e-5
        xin = torch.randn(1, TINY["in_channels"], TINY["input_size"], TINY["input_size"], generator=gen)
        emb = model.x_embedder(xin)
        w = model.x_embedder.proj.weight.reshape(TINY["hidden"], -1)
        for i in range(grid):
            for j in range(grid):  # token n = i * grid + j sees the patch at row i, column j
                patch = xin[0, :, i * p:(i + 1) * p, j * p:(j + 1) * p].reshape(-1)
                want = w @ patch + model.x_embedder.proj.bias
                assert (emb[0, i * grid + j] - want).abs().max() < 1e-5


def summary(model, golden):
    with torch.no_grad():
        x = torch.from_numpy(golden["x"])
        t = torch.from_numpy(golden["t"]).long()
        y = torch.from_numpy(golden["y"]).long()
        tokens, c = model.embed(x, t, y)
        print("embed tokens rms %.3f, c rms %.3f" % (tokens.pow(2).mean().sqrt(), c.pow(2).mean().sqrt()))
        for i, block in enumerate(model.blocks):
            new, a, m = block.forward_features(tokens, c)
            print("block %d: |x| %.3f |a| %.3f |m| %.3f |dx| %.3f" % (
                i, tokens.norm(), a.norm(), m.norm(), (new - tokens).norm()))
            tokens = new
    for k, v in golden.items():
        print("%-20s %-18s maxAbs %.4g" % (k, list(v.shape), float(np.abs(v).max()) if v.size else 0))
    traj = golden["ddim10_traj"]
    print("ddim step deltas:", ["%.3f" % np.abs(traj[k + 1] - traj[k]).max() for k in range(len(traj) - 1)])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "src", "test", "resources", "reference")
    out_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else default)
    torch.set_num_threads(1)
    model, golden = build(out_dir)
    self_check(out_dir, model, golden)
    cross_check(model)
    summary(model, golden)
    for name in sorted(os.listdir(out_dir)):
        print("%-24s %8d bytes" % (name, os.path.getsize(os.path.join(out_dir, name))))


if __name__ == "__main__":
    main()
