package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The analytic stand-in model of {@code diffusion_reference.py}, in the same float arithmetic:
 * ε = k(t)·x + 0.1·tanh(x) + 0.01·t/1000 with k(t) = √(1−ᾱ_t)/(0.25ᾱ_t + 1 − ᾱ_t) (exact ε for data ~ N(0, 0.5²)),
 * and, when {@code learnedSigma}, v = 0.3·sin(x) in channels [C, 2C). Records every call.
 */
final class AnalyticDenoiser implements Denoiser {
    private static final NoiseSchedule BASE = NoiseSchedule.linear();
    private final boolean learnedSigma;
    final List<int[]> calls = new ArrayList<>();

    AnalyticDenoiser(boolean learnedSigma) {
        this.learnedSigma = learnedSigma;
    }

    @Override
    public Tensor predict(Tensor x, int step, int timestep) {
        calls.add(new int[] {step, timestep});
        int batch = x.dim(0);
        int block = x.numel() / batch;
        int factor = learnedSigma ? 2 : 1;
        int[] shape = x.shape();
        shape[1] *= factor;
        Tensor out = Tensor.zeros(shape);
        double ac = BASE.alphaCumprod(timestep);
        float k = (float) (Math.sqrt(1.0 - ac) / (0.25 * ac + 1.0 - ac));
        float shift = (float) (0.01 * timestep / 1000);
        float[] xs = x.data();
        float[] o = out.data();
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < block; j++) {
                float v = xs[b * block + j];
                int base = b * factor * block + j;
                o[base] = k * v + 0.1f * (float) Math.tanh(v) + shift;
                if (learnedSigma) {
                    o[base + block] = 0.3f * (float) Math.sin(v);
                }
            }
        }
        return out;
    }
}
