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

    protected final SpacedSchedule schedule;

    SpacedSampler(SpacedSchedule schedule) {
        this.schedule = schedule;
    }

    /** A fresh run for one trajectory. */
    abstract Run start();

    @Override
    public final Tensor sample(Denoiser denoiser, Tensor xT, SampleListener listener) {
        int n = schedule.steps();
        Run run = start();
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
