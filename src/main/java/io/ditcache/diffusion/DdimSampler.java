package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;

/**
 * Deterministic DDIM (η = 0), exactly as DiT's {@code ddim_sample_loop} (no clipping of x0 unless created with
 * {@code +clip}; then x0 is clamped to [-1, 1] before ε is re-derived, as guided-diffusion's clip_denoised):
 * <pre>
 *   x0     = √(1/ᾱ'_i)·x − √(1/ᾱ'_i − 1)·ε
 *   ε      = (√(1/ᾱ'_i)·x − x0) / √(1/ᾱ'_i − 1)          (re-derived, equal up to rounding)
 *   x_prev = x0·√ᾱ'_{i-1} + √(1 − ᾱ'_{i-1})·ε,            ᾱ'_{-1} = 1
 * </pre>
 * The learned-variance channels, if any, are ignored.
 */
public final class DdimSampler extends SpacedSampler {
    public DdimSampler(int steps) {
        this(SpacedSchedule.create(steps));
    }

    /** DDIM over {@code steps}, clamping the predicted x0 to [-1, 1] when {@code clipDenoised} (pixel-space models). */
    public DdimSampler(int steps, boolean clipDenoised) {
        this(SpacedSchedule.create(steps));
        if (clipDenoised) {
            clipDenoised();
        }
    }

    public DdimSampler(SpacedSchedule schedule) {
        super(schedule);
    }

    @Override
    public String name() {
        return nameWithOptions("ddim");
    }

    @Override
    Run start(int rows) {
        return this::step;
    }

    /** One DDIM update from spaced index {@code step} to {@code step - 1}, given the model output there. */
    public Tensor step(Tensor x, Tensor modelOut, int step) {
        ModelOutput out = ModelOutput.split(x, modelOut);
        float[] xs = x.data();
        float[] x0 = predictX0(step, xs, out.eps);
        float[] eps = StepMath.epsFromX0(schedule, step, xs, x0);
        float alphaBarPrev = (float) schedule.alphaCumprodPrev(step);
        float c0 = (float) Math.sqrt(alphaBarPrev);          // float sqrt, as torch.sqrt on the float32 value
        float ce = (float) Math.sqrt(1f - alphaBarPrev);     // √(1 − ᾱ'_{i-1} − σ²) with σ = 0 (η = 0)
        return Tensor.of(StepMath.combine(c0, x0, ce, eps), x.shape());
    }
}
