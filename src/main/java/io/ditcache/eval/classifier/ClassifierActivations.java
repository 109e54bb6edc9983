package io.ditcache.eval.classifier;

import java.util.Arrays;

/**
 * The named buffers of one {@link FashionClassifier} pass over up to {@code capacity} images, allocated once and
 * reused (llm.c style): the forward activations the backward needs, then the gradients flowing back through them.
 * All image-shaped buffers are channels-last, [n, h, w, c].
 */
final class ClassifierActivations {
    final int capacity;
    // forward
    final float[] cols1;     // [n*32*32, 9]          conv1 patches
    final float[] conv1;     // [n, 32, 32, c1]       after ReLU (in place)
    final float[] pool1;     // [n, 16, 16, c1]
    final int[] argmax1;
    final float[] cols2;     // [n*16*16, 9*c1]       conv2 patches
    final float[] conv2;     // [n, 16, 16, c2]       after ReLU
    final float[] pool2;     // [n, 8, 8, c2] = [n, 64*c2] flattened in (h, w, c) order
    final int[] argmax2;
    final float[] hidden;    // [n, features]         after ReLU: the penultimate features
    final float[] logits;    // [n, 10]
    final float[] probs;     // [n, 10]               softmax, for the loss
    // backward, lazily allocated by the first training pass
    float[] dLogits;
    float[] dHidden;
    float[] dHiddenPre;
    float[] dPool2;
    float[] dConv2;
    float[] dConv2Pre;
    float[] dPool1;
    float[] dConv1;
    float[] dConv1Pre;

    ClassifierActivations(FashionClassifier model, int capacity) {
        int c1 = model.channels1();
        int c2 = model.channels2();
        int s = FashionClassifier.IMAGE_SIZE;
        int s2 = s / 2;
        int s4 = s / 4;
        this.capacity = capacity;
        cols1 = new float[capacity * s * s * 9];
        conv1 = new float[capacity * s * s * c1];
        pool1 = new float[capacity * s2 * s2 * c1];
        argmax1 = new int[pool1.length];
        cols2 = new float[capacity * s2 * s2 * 9 * c1];
        conv2 = new float[capacity * s2 * s2 * c2];
        pool2 = new float[capacity * s4 * s4 * c2];
        argmax2 = new int[pool2.length];
        hidden = new float[capacity * model.featureSize()];
        logits = new float[capacity * FashionClassifier.CLASSES];
        probs = new float[logits.length];
    }

    /** Allocates (first call) or zeroes the gradient buffers, which the layers' backward passes add into. */
    void zeroGradients() {
        if (dLogits == null) {
            dLogits = new float[logits.length];
            dHidden = new float[hidden.length];
            dHiddenPre = new float[hidden.length];
            dPool2 = new float[pool2.length];
            dConv2 = new float[conv2.length];
            dConv2Pre = new float[conv2.length];
            dPool1 = new float[pool1.length];
            dConv1 = new float[conv1.length];
            dConv1Pre = new float[conv1.length];
            return;
        }
        for (float[] a : new float[][] {dLogits, dHidden, dHiddenPre, dPool2, dConv2, dConv2Pre, dPool1, dConv1, dConv1Pre}) {
            Arrays.fill(a, 0f);
        }
    }
}
