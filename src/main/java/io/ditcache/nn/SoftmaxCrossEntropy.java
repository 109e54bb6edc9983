package io.ditcache.nn;

/**
 * Softmax followed by the mean negative log-likelihood of integer labels (PyTorch's {@code cross_entropy}),
 * forward and backward side by side.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {
    }

    /**
     * Fills probs[rows, classes] with the row softmax of logits[rows, classes] and returns the mean over rows of
     * {@code -log probs[r, labels[r]]} (computed from the log-sum-exp, so it stays finite for confident rows).
     */
    public static double forward(float[] probs, float[] logits, int[] labels, int rows, int classes) {
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * classes;
            int label = labels[r];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " at row " + r + " outside 0.." + (classes - 1));
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                double e = Math.exp(logits[o + j] - max);
                probs[o + j] = (float) e;
                sum += e;
            }
            for (int j = 0; j < classes; j++) {
                probs[o + j] = (float) (probs[o + j] / sum);
            }
            loss += Math.log(sum) - (logits[o + label] - max);
        }
        return loss / rows;
    }

    /** dLogits[rows, classes] += (probs - onehot(labels)) / rows, the gradient of the mean loss. */
    public static void backward(float[] dLogits, float[] probs, int[] labels, int rows, int classes) {
        float scale = 1f / rows;
        for (int r = 0; r < rows; r++) {
            int o = r * classes;
            for (int j = 0; j < classes; j++) {
                float target = j == labels[r] ? 1f : 0f;
                dLogits[o + j] += (probs[o + j] - target) * scale;
            }
        }
    }
}
