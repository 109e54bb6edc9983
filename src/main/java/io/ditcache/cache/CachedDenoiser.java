package io.ditcache.cache;

import io.ditcache.diffusion.Denoiser;
import io.ditcache.model.DiT;
import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.Tensor;

/**
 * A DiT behind the sampler seam, with feature caching: each {@link #predict} runs one forward whose cache units
 * are computed or reused as the {@link CachePolicy} decides, and records {@link CacheStats}.
 * <ul>
 *   <li>A call with {@code step == steps - 1} starts a trajectory: the {@link FeatureCache} is emptied and the
 *       policy starts a fresh schedule. Later calls must follow the sampler order {@code steps-2, ..., 0}.</li>
 *   <li>A unit is computed when the policy asks for it or its cache slot is empty, and then stored; otherwise
 *       the stored tensor (from the most recent step that computed the unit) is returned as is. A static plan that
 *       reuses nothing ({@code none}, {@code fewer:K}) stores nothing: its peak cache is 0.</li>
 *   <li>Guidance scale > 1: DiT's {@code forward_with_cfg} on [x; x] with labels [y; null] (the cache holds both
 *       halves) and the guided output of the B conditional rows is returned; scale <= 1 or NaN: the plain
 *       conditional forward.</li>
 * </ul>
 * Holds per-trajectory state: use one instance per sampling thread.
 */
public final class CachedDenoiser implements Denoiser {
    private final DiT model;
    private final int[] labels;
    private final float cfgScale;
    private final boolean guided;
    private final CachePolicy policy;
    private final int steps;
    private final FeatureCache cache;
    private final CacheStats stats;
    /** False for a static plan that computes everything (none, fora:1): nothing is then stored, nor reported held. */
    private final boolean stores;
    private CacheSchedule schedule;
    private int lastStep = -1;

    /**
     * @param labels   class labels of the B samples (in [0, numClasses))
     * @param cfgScale guidance scale; <= 1 or NaN runs without guidance
     * @param steps    sampler steps per trajectory
     */
    public CachedDenoiser(DiT model, int[] labels, float cfgScale, CachePolicy policy, int steps) {
        this(model, labels, cfgScale, policy, steps, steps);
    }

    /**
     * As above, with the step count of the uncached baseline that {@code macs_uncached} refers to (more than
     * {@code steps} for {@code fewer:K}).
     */
    public CachedDenoiser(DiT model, int[] labels, float cfgScale, CachePolicy policy, int steps, int baselineSteps) {
        if (steps < 1 || baselineSteps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps + " (baseline " + baselineSteps + ")");
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("no labels: the batch is empty");
        }
        policy = policy.forSteps(steps); // a router set: the router made for these steps
        policy.checkFits(model, steps);
        this.model = model;
        this.labels = labels.clone();
        this.cfgScale = cfgScale;
        this.guided = cfgScale > 1;
        this.policy = policy;
        this.steps = steps;
        this.cache = new FeatureCache(model.config().units());
        this.stats = new CacheStats(model.config(), label(policy, steps, baselineSteps), steps, baselineSteps);
        this.stores = !(policy instanceof StaticPolicy p) || p.plan(steps, model.config().units()).reuseCount() > 0;
    }

    /**
     * What ran, for the statistics: the policy's spec, and {@code fewer:K} where fewer steps ran than the baseline's
     * ({@code fewer:14} alone, {@code fora:2 (fewer:14)} with a policy).
     */
    private static String label(CachePolicy policy, int steps, int baselineSteps) {
        if (steps == baselineSteps) {
            return policy.spec();
        }
        String fewer = "fewer:" + steps;
        return policy instanceof NoCache ? fewer : policy.spec() + " (" + fewer + ")";
    }

    /** Whether guidance is on (scale > 1). */
    public boolean guided() {
        return guided;
    }

    public CacheStats stats() {
        return stats;
    }

    public FeatureCache cache() {
        return cache;
    }

    public CachePolicy policy() {
        return policy;
    }

    @Override
    public Tensor predict(Tensor x, int step, int timestep) {
        int batch = labels.length;
        if (x.dim(0) != batch) {
            throw new IllegalArgumentException("batch of " + x.dim(0) + " but " + batch + " labels were given");
        }
        advance(step);
        int forwardBatch = guided ? 2 * batch : batch;
        long start = System.nanoTime();
        float[] t = new float[batch];
        java.util.Arrays.fill(t, timestep);
        UnitRunner runs = (unit, fresh) -> {
            Tensor stored = cache.get(unit);
            boolean compute = stored == null || schedule.compute(step, unit);
            stats.recordUnit(step, unit, compute, forwardBatch);
            if (!compute) {
                return stored;
            }
            Tensor out = fresh.get();
            if (stores) {
                cache.put(unit, out);
            }
            schedule.computed(step, unit, out);
            return out;
        };
        // A static policy that reuses nothing keeps no unit: the forward may compute them into a reused buffer.
        UnitRunner runner = stores ? runs : UnitRunner.keepingNothing(runs);
        Tensor out;
        if (guided) {
            Tensor both = model.forwardWithCfg(x, t, labels, cfgScale, runner);
            int[] shape = both.shape();
            shape[0] = batch;
            float[] first = java.util.Arrays.copyOf(both.data(), both.numel() / 2);
            out = Tensor.of(first, shape);
        } else {
            out = model.forward(x, t, labels, runner);
        }
        stats.recordForward(forwardBatch, System.nanoTime() - start);
        stats.recordCache(cache.peakBytes(), FeatureCache.bound(model.config(), forwardBatch));
        return out;
    }

    /** Starts a trajectory at the first sampling step and checks the sampler order otherwise. */
    private void advance(int step) {
        if (step == steps - 1) {
            cache.reset();
            schedule = policy.start(steps, model.config().units());
            stats.beginTrajectory();
        } else if (schedule == null || step != lastStep - 1) {
            throw new IllegalStateException("denoiser called at step " + step + " after "
                    + (schedule == null ? "no step" : "step " + lastStep) + "; a trajectory runs steps "
                    + (steps - 1) + " down to 0");
        }
        lastStep = step;
    }
}
