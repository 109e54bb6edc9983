package io.ditcache.train;

import io.ditcache.cache.CachedSampling;
import io.ditcache.cache.NoCache;
import io.ditcache.cache.Router;
import io.ditcache.cache.RouterPolicy;
import io.ditcache.diffusion.SampleListener;
import io.ditcache.model.DiT;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;

/**
 * Compares routers the way HarmoniCa's tables do, at an equal cache usage ratio (CUR = reused unit executions / all):
 * {@link #thresholdForUsage} picks the threshold at which a router's plan reuses a given number of (step, unit)
 * pairs, and {@link #sampleError} measures the mean squared difference of the final samples from the uncached ones
 * on the same noise and labels.
 */
public final class RouterEvaluation {
    private RouterEvaluation() {
    }

    /**
     * The threshold at which {@code router}'s plan reuses exactly {@code round(usage * steps * units)} pairs (fewer if
     * its routed pairs do not reach that many; ties in score may reuse more): the score of the last pair reused when
     * the routed pairs are sorted by score.
     */
    public static double thresholdForUsage(Router router, double usage) {
        double[] scores = sortedRouted(router, false);
        int reuse = reuseCount(router, scores.length, usage);
        if (reuse == 0) {
            return scores.length == 0 ? 0 : Math.max(0, scores[0] / 2);
        }
        return scores[reuse - 1];
    }

    /** The routed (not forced-full) pairs' logits or scores, ascending. */
    private static double[] sortedRouted(Router router, boolean logits) {
        int n = router.steps();
        int u = router.units();
        double[] v = new double[n * u];
        int m = 0;
        for (int s = 0; s < n; s++) {
            if (!router.method().fullStep(s, n)) {
                for (int k = 0; k < u; k++) {
                    v[m++] = logits ? router.logit(s, k) : router.score(s, k);
                }
            }
        }
        double[] sorted = Arrays.copyOf(v, m);
        Arrays.sort(sorted);
        return sorted;
    }

    /** {@code round(usage * steps * units)}, at most the {@code routed} pairs. */
    private static int reuseCount(Router router, int routed, double usage) {
        return (int) Math.min(routed, Math.round(usage * router.steps() * router.units()));
    }

    /**
     * The threshold at which {@code router}'s plan reuses {@code round(usage * steps * units)} pairs (at most all
     * routed ones), placed halfway in logit space between the last score reused and the first computed, so that the
     * choice is as far as possible from both; within [{@value #MIN_LANDED}, {@value #MAX_LANDED}]. What
     * {@link RouterTrainer} trains with at the end of a {@code --target-usage} run.
     */
    public static double landingThreshold(Router router, double usage) {
        double[] logits = sortedRouted(router, true);
        int m = logits.length;
        int reuse = reuseCount(router, m, usage);
        double below = reuse == 0 ? logits[0] - 1 : logits[reuse - 1];
        double above = reuse == m ? logits[m - 1] + 1 : logits[reuse];
        double mid = 0.5 * (below + above);
        return Math.max(MIN_LANDED, Math.min(MAX_LANDED, 1 / (1 + Math.exp(-mid))));
    }

    static final double MIN_LANDED = 1e-6;
    static final double MAX_LANDED = 0.999;

    /**
     * How many of the routed (not forced-full) scores lie within {@code marginLogit} of {@code threshold} in logit
     * space: the units whose compute/reuse choice a small change of the threshold would flip.
     */
    public static int scoresNearThreshold(Router router, double threshold, double marginLogit) {
        double center = Math.log(threshold / (1 - threshold));
        int n = router.steps();
        int near = 0;
        for (int s = 0; s < n; s++) {
            if (router.method().fullStep(s, n)) {
                continue;
            }
            for (int k = 0; k < router.units(); k++) {
                double p = Math.min(1 - 1e-12, Math.max(1e-12, router.score(s, k)));
                near += Math.abs(Math.log(p / (1 - p)) - center) < marginLogit ? 1 : 0;
            }
        }
        return near;
    }

    /** Mean over elements of (cached sample − uncached sample)² for the router's DDIM sampler with {@code router} at {@code threshold}. */
    public static double sampleError(DiT model, Router router, double threshold, float cfg, Tensor xT, int[] labels) {
        RouterPolicy policy = new RouterPolicy(router, "router", threshold);
        int steps = router.steps();
        String sampler = router.sampler().isEmpty() ? "ddim" : router.sampler();
        Tensor cached = CachedSampling.sample(model, policy, sampler, steps, steps, 0, labels, cfg, xT, false,
                SampleListener.NONE).samples();
        Tensor plain = CachedSampling.sample(model, new NoCache(), sampler, steps, steps, 0, labels, cfg, xT, false,
                SampleListener.NONE).samples();
        return IepoLambda.meanSquaredDifference(cached, plain);
    }
}
