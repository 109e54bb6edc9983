package io.ditcache.eval;

/**
 * What one caching method achieved in an evaluation run, measured side by side with the uncached baseline.
 * Quality fields are NaN when not measured (e.g. no classifier for latent models); PSNR is +Infinity for the
 * baseline itself.
 *
 * @param speedup        baseline wall time / this method's wall time, same machine, same run
 * @param macsRatio      this method's MACs / baseline MACs
 * @param psnr           PSNR (dB, data range 2) against the uncached samples from the same noise and labels
 * @param ssim           mean SSIM against the uncached samples
 * @param fid            Fréchet distance in the classifier's feature space against the test set
 * @param consistency    share of samples the classifier puts in their conditioning class
 */
public record MethodResult(String method, int steps, double cacheUsageRatio, long macs, double macsRatio, double wallMs,
                           double speedup, double psnr, double ssim, double fid, double consistency) {
}
