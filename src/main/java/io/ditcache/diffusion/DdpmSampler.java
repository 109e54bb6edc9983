package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;

import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Ancestral DDPM sampling (DiT's {@code p_sample_loop}, used for its 250-step FID runs), no clipping of x0.
 * <pre>
 *   x0     = √(1/ᾱ'_i)·x − √(1/ᾱ'_i − 1)·ε
 *   mean   = coef1_i·x0 + coef2_i·x
 *   x_prev = mean + [i ≠ 0]·exp(½·logvar)·z,   z ~ N(0, I)
 * </pre>
 * With a learned-sigma model (output 2C channels) {@code logvar = frac·log β'_i + (1−frac)·log σ̃²_clipped,i},
 * {@code frac = (v+1)/2} (DiT's "learned range"). With an ε-only model the variance is fixed: σ̃²_clipped
 * ({@link FixedVariance#SMALL}, the default) or DiT's {@code FIXED_LARGE} (β', entry 0 replaced by σ̃²_1), which is
 * what DiT's {@code create_diffusion(learn_sigma=False)} picks.
 * No noise is drawn at the last step (i = 0).
 */
public final class DdpmSampler extends SpacedSampler {
    /** The variance used when the model predicts ε only. */
    public enum FixedVariance { SMALL, LARGE }

    private final FixedVariance fixedVariance;
    private final IntFunction<? extends NoiseSource> noise;

    /** {@link #DdpmSampler(int, long, long)} for a batch whose first sample has index 0. */
    public DdpmSampler(int steps, long seed) {
        this(steps, seed, 0);
    }

    /**
     * DDPM with {@code steps} steps; row r of a batch draws its step noise from its own stream,
     * {@link SampleSeeds#samplerRows}{@code (seed, firstIndex, rows)}, fresh per {@link #sample} call.
     */
    public DdpmSampler(int steps, long seed, long firstIndex) {
        this(SpacedSchedule.create(steps), FixedVariance.SMALL, rows -> SampleSeeds.samplerRows(seed, firstIndex, rows));
    }

    /**
     * @param noise called once per {@link #sample} call for the noise stream of that trajectory (all rows)
     */
    public DdpmSampler(SpacedSchedule schedule, FixedVariance fixedVariance, Supplier<? extends NoiseSource> noise) {
        this(schedule, fixedVariance, rows -> noise.get());
    }

    private DdpmSampler(SpacedSchedule schedule, FixedVariance fixedVariance, IntFunction<? extends NoiseSource> noise) {
        super(schedule);
        this.fixedVariance = fixedVariance;
        this.noise = noise;
    }

    @Override
    public String name() {
        return nameWithOptions("ddpm");
    }

    @Override
    Run start(int rows) {
        NoiseSource z = noise.apply(rows);
        return (x, out, step) -> step(x, out, step, z);
    }

    /** One DDPM update from spaced index {@code step} to {@code step - 1}; draws x.numel() values unless step = 0. */
    public Tensor step(Tensor x, Tensor modelOut, int step, NoiseSource noiseSource) {
        ModelOutput out = ModelOutput.split(x, modelOut);
        float[] xs = x.data();
        float[] x0 = predictX0(step, xs, out.eps);
        float[] next = StepMath.combine((float) schedule.posteriorMeanCoef1(step), x0,
                (float) schedule.posteriorMeanCoef2(step), xs);
        if (step == 0) {
            return Tensor.of(next, x.shape());
        }
        float[] logVar = logVariance(out, step, xs.length);
        float[] z = new float[xs.length];
        noiseSource.fill(z);
        for (int k = 0; k < next.length; k++) {
            next[k] = next[k] + (float) Math.exp(0.5f * logVar[k]) * z[k];
        }
        return Tensor.of(next, x.shape());
    }

    /** Per-element log variance at a step i ≥ 1. */
    private float[] logVariance(ModelOutput out, int step, int n) {
        float minLog = (float) schedule.posteriorLogVarianceClipped(step);
        float[] logVar = new float[n];
        if (out.v != null) {
            float maxLog = (float) Math.log(schedule.beta(step));
            for (int k = 0; k < n; k++) {
                float frac = (out.v[k] + 1f) / 2f;
                logVar[k] = frac * maxLog + (1f - frac) * minLog;
            }
        } else {
            // FIXED_LARGE differs from β' only at entry 0, which draws no noise.
            Arrays.fill(logVar, fixedVariance == FixedVariance.SMALL ? minLog : (float) Math.log(schedule.beta(step)));
        }
        return logVar;
    }
}
