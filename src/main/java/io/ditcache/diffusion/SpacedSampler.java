package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;

/**
 * The loop every sampler shares: visit N-1 … 0, call the denoiser once per step, apply the sampler's update,
 * tell the listener. Subclasses supply the update through a per-run {@link Run}, which may keep state
 * (multistep solvers) without making the sampler itself stateful.
 */
abstract class SpacedSampler implements Sampler {
    /** The state of one call to {@link #sample}. */
    interface Run {
        /** x_{i-1} from x_i and the model output at spaced index i. */
        Tensor step(Tensor x, Tensor modelOut, int step);
    }

    /** Suffix of a sampler name that clamps the predicted x0 to [-1, 1], e.g. {@code ddim+clip}. */
    static final String CLIP = "+clip";

    protected final SpacedSchedule schedule;
    private boolean clipDenoised;

    SpacedSampler(SpacedSchedule schedule) {
        this.schedule = schedule;
    }

    /** Clamp every predicted x0 to [-1, 1] (guided-diffusion's {@code clip_denoised=True}); set once, at creation. */
    final SpacedSampler clipDenoised() {
        clipDenoised = true;
        return this;
    }

    /** Whether predicted x0 is clamped to [-1, 1]; DiT samples latents without clipping. */
    public final boolean clipsDenoised() {
        return clipDenoised;
    }

    /** The x0 prediction of the step, clamped when {@link #clipsDenoised()}. */
    final float[] predictX0(int step, float[] x, float[] eps) {
        float[] x0 = StepMath.predictX0(schedule, step, x, eps);
        if (clipDenoised) {
            for (int k = 0; k < x0.length; k++) {
                x0[k] = Math.max(-1f, Math.min(1f, x0[k]));
            }
        }
        return x0;
    }

    /** {@code base}, with {@link #CLIP} appended when clipping: the name {@link Samplers#create} accepts back. */
    final String nameWithOptions(String base) {
        return clipDenoised ? base + CLIP : base;
    }

    /** A fresh run for one trajectory of a batch of {@code rows} samples. */
    abstract Run start(int rows);

    @Override
    public final Tensor sample(Denoiser denoiser, Tensor xT, SampleListener listener) {
        int n = schedule.steps();
        Run run = start(xT.dim(0));
        Tensor x = xT.copy();
        for (int i = n - 1; i >= 0; i--) {
            Tensor out = denoiser.predict(x, i, schedule.timestep(i));
            x = run.step(x, out, i);
            listener.onStep(i, n - i, n);
        }
        return x;
    }

    @Override
    public final SpacedSchedule schedule() {
        return schedule;
    }

    @Override
    public String toString() {
        return name() + "-" + schedule.steps();
    }
}
