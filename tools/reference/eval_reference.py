#!/usr/bin/python3
"""Reference values for io.ditcache.eval (Frechet distance, feature statistics, PSNR, SSIM).

Run with Debian's interpreter (numpy only; scipy and skimage are not assumed):
    /usr/bin/python3 tools/reference/eval_reference.py
Writes src/test/resources/eval/{frechet,ssim}.txt in a plain format the Java tests parse:
one entry per line, "name dims values...", dims comma-separated (e.g. "2,3,16,16"), values in repr precision.

The methods here are deliberately different from the Java ones:
- tr sqrt(S1 S2) from the eigenvalues of the non-symmetric product S1 S2 (real and >= 0, being similar to
  sqrt(S1) S2 sqrt(S1)), cross-checked by a Denman-Beavers iteration for sqrtm(S1 S2);
- SSIM with an explicit 11x11 2-D window sum at every valid position (the Java code filters separably), following
  skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
  data_range=R, channel_axis=0): Gaussian truncate 3.5 -> window 11, K1 0.01, K2 0.03, mean over the region
  at least 5 pixels from the border, then over channels.
"""
import os
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "eval")


def line(name, arr):
    arr = np.asarray(arr, dtype=np.float64)
    dims = ",".join(str(d) for d in arr.shape) if arr.ndim else "1"
    return name + " " + dims + " " + " ".join(repr(float(v)) for v in arr.reshape(-1)) + "\n"


def trace_sqrt_product_eigvals(s1, s2):
    ev = np.linalg.eigvals(s1 @ s2)
    assert np.all(np.abs(ev.imag) < 1e-8 * max(1.0, np.abs(ev).max())), ev
    return float(np.sqrt(np.clip(ev.real, 0, None)).sum())


def sqrtm_denman_beavers(a, iters=100):
    y, z = a.copy(), np.eye(a.shape[0])
    for _ in range(iters):
        y, z = 0.5 * (y + np.linalg.inv(z)), 0.5 * (z + np.linalg.inv(y))
    return y


def frechet(mu1, s1, mu2, s2):
    d = mu1 - mu2
    return float(d @ d + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt_product_eigvals(s1, s2))


def frechet_fixture(rng):
    out = []
    dim = 6
    a = rng.normal(size=(dim, dim))
    b = rng.normal(size=(dim, dim))
    s1 = a @ a.T / dim + 0.1 * np.eye(dim)
    s2 = b @ b.T / dim + 0.05 * np.eye(dim)
    assert np.abs(s1 @ s2 - s2 @ s1).max() > 0.1, "the case must not commute"
    mu1 = rng.normal(size=dim)
    mu2 = rng.normal(size=dim)
    tr_db = float(np.trace(sqrtm_denman_beavers(s1 @ s2)).real)
    tr_ev = trace_sqrt_product_eigvals(s1, s2)
    assert abs(tr_db - tr_ev) < 1e-9 * tr_ev, (tr_db, tr_ev)
    out += [line("dense.mu1", mu1), line("dense.s1", s1), line("dense.mu2", mu2), line("dense.s2", s2),
            line("dense.fd", frechet(mu1, s1, mu2, s2))]

    # Singular (rank 3 of 6) PSD covariances: the sqrt must clamp tiny negative eigenvalues.
    c = rng.normal(size=(dim, 3))
    e = rng.normal(size=(dim, 3))
    # Exact value: the nonzero eigenvalues of C C^T E E^T are those of (E^T C)^T (E^T C), so tr sqrt(S1 S2) is the
    # sum of the singular values of E^T C, free of the sqrt-of-rounding-noise the zero eigenvalues add elsewhere.
    r1 = c @ c.T
    r2 = e @ e.T
    exact = float(np.trace(r1) + np.trace(r2) - 2 * np.linalg.svd(e.T @ c, compute_uv=False).sum())
    assert abs(exact - frechet(np.zeros(dim), r1, np.zeros(dim), r2)) < 1e-6 * exact
    out += [line("singular.s1", r1), line("singular.s2", r2), line("singular.fd", exact)]

    # End to end from float32 features: numpy mean and unbiased covariance (np.cov, as pytorch-fid).
    f1 = rng.normal(size=(50, 8)).astype(np.float32)
    f2 = (rng.normal(size=(40, 8)) @ rng.normal(size=(8, 8)) * 0.5 + 0.3).astype(np.float32)
    g1, g2 = f1.astype(np.float64), f2.astype(np.float64)
    m1, c1 = g1.mean(0), np.cov(g1, rowvar=False)
    m2, c2 = g2.mean(0), np.cov(g2, rowvar=False)
    out += [line("features.f1", f1), line("features.f2", f2), line("features.mu1", m1), line("features.cov1", c1),
            line("features.fd", frechet(m1, c1, m2, c2))]
    return out


def gaussian_window(sigma=1.5, truncate=3.5):
    radius = int(truncate * sigma + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-0.5 * x * x / (sigma * sigma))
    g /= g.sum()
    return np.outer(g, g)


def ssim_plane(x, y, data_range):
    w = gaussian_window()
    k = w.shape[0]
    h, wd = x.shape
    c1 = (0.01 * data_range) ** 2
    c2 = (0.03 * data_range) ** 2
    vals = []
    for i in range(h - k + 1):
        for j in range(wd - k + 1):
            px = x[i:i + k, j:j + k]
            py = y[i:i + k, j:j + k]
            ux, uy = (w * px).sum(), (w * py).sum()
            vx = (w * px * px).sum() - ux * ux
            vy = (w * py * py).sum() - uy * uy
            vxy = (w * px * py).sum() - ux * uy
            vals.append((2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2)))
    return float(np.mean(vals))


def ssim_image(x, y, data_range):
    return float(np.mean([ssim_plane(x[c], y[c], data_range) for c in range(x.shape[0])]))


def psnr(x, y, data_range):
    mse = np.mean((x - y) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(data_range ** 2 / mse))


def image_fixture(rng):
    out = []
    # RGB batch: random images and a noisy copy, in [-1, 1].
    a = rng.uniform(-1, 1, size=(2, 3, 16, 20)).astype(np.float32)
    b = np.clip(a + rng.normal(scale=0.3, size=a.shape), -1, 1).astype(np.float32)
    # Grayscale: a smooth image (gradient plus blob) and a shifted, brightened copy.
    yy, xx = np.mgrid[0:24, 0:24] / 23.0
    g = (np.sin(3 * xx) * np.cos(2 * yy) + np.exp(-((xx - .5) ** 2 + (yy - .4) ** 2) * 20)) * 0.7
    ga = np.clip(g, -1, 1)[None, None].astype(np.float32)
    gb = np.clip(np.roll(g, 1, axis=1) + 0.1, -1, 1)[None, None].astype(np.float32)
    for name, x, y in (("rgb", a, b), ("gray", ga, gb)):
        x64, y64 = x.astype(np.float64), y.astype(np.float64)
        out += [line(name + ".a", x), line(name + ".b", y),
                line(name + ".ssim", [ssim_image(x64[n], y64[n], 2.0) for n in range(x.shape[0])]),
                line(name + ".psnr", [psnr(x64[n], y64[n], 2.0) for n in range(x.shape[0])]),
                line(name + ".psnr_all", psnr(x64, y64, 2.0))]
    # data_range matters through C1, C2: the RGB pair at range 1.0 too.
    out.append(line("rgb.ssim_range1", [ssim_image(a[n].astype(np.float64), b[n].astype(np.float64), 1.0)
                                        for n in range(2)]))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)
    for name, lines in (("frechet.txt", frechet_fixture(rng)), ("images.txt", image_fixture(rng))):
        path = os.path.join(OUT, name)
        with open(path + ".tmp", "w") as f:
            f.write("# generated by tools/reference/eval_reference.py; do not edit\n")
            f.writelines(lines)
        os.replace(path + ".tmp", path)
        print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
