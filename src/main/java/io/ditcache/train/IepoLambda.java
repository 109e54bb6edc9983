package io.ditcache.train;

import io.ditcache.tensor.Tensor;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * HarmoniCa's Image Error Proxy-Guided weights λ(t) (C.4): gradient-free generations on the current batch
 * (same x_T and labels) with the routers' soft weights, compared on the final sample (no decoder: the latent or
 * pixel x0 itself). {@link IepoProxy} says which generations are compared. λ of the first sampling step (N-1),
 * which has no trainable router, is 1. Each refresh costs N generations of N steps.
 */
final class IepoLambda {
    private IepoLambda() {
    }

    /** λ for the trajectory from {@code xT}, {@code y}; {@code generated} hears the count of generations done (of N). */
    static float[] compute(IepoProxy proxy, MixedRollout rollout, TrainableRouter router, Tensor xT, int[] y,
                           IntConsumer generated) {
        int n = router.steps();
        float[] lambda = new float[n];
        lambda[n - 1] = 1f;
        float[][] w = new float[n][];
        float[] ones = new float[router.units()];
        Arrays.fill(ones, 1f);
        if (proxy == IepoProxy.CUMULATIVE) {
            for (int i = 0; i < n; i++) {
                w[i] = ones;
            }
            Tensor pre = rollout.generate(xT, y, w);
            generated.accept(1);
            for (int i = n - 2; i >= 0; i--) {
                w[i] = TrainableRouter.sigmoid(router.row(i));
                Tensor cur = rollout.generate(xT, y, w);
                lambda[i] = (float) meanSquaredDifference(cur, pre);
                pre = cur;
                generated.accept(n - i);
            }
        } else {
            for (int i = 0; i < n; i++) {
                w[i] = TrainableRouter.sigmoid(router.row(i));
            }
            Tensor base = rollout.generate(xT, y, w);
            generated.accept(1);
            for (int i = n - 2; i >= 0; i--) {
                float[] keep = w[i];
                w[i] = ones;
                lambda[i] = (float) meanSquaredDifference(rollout.generate(xT, y, w), base);
                w[i] = keep;
                generated.accept(n - i);
            }
        }
        return lambda;
    }

    static double meanSquaredDifference(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.numel(); i++) {
            double d = (double) a.data()[i] - b.data()[i];
            s += d * d;
        }
        return s / a.numel();
    }
}
