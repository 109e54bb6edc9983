package io.ditcache.eval.classifier;

import io.ditcache.eval.SampleJudge;
import io.ditcache.io.SafeTensors;
import io.ditcache.nn.Conv2d;
import io.ditcache.nn.Linear;
import io.ditcache.nn.MaxPool2d;
import io.ditcache.nn.Relu;
import io.ditcache.nn.SoftmaxCrossEntropy;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * The small CNN trained here on Fashion-MNIST whose penultimate features define "FID (Fashion-MNIST classifier
 * features)" and whose predictions define class consistency. Input: images [N, 1, 32, 32] in [-1, 1] (the
 * 28x28 originals padded with -1), as {@code data.FashionMnist} and the samplers produce them.
 * <pre>
 * conv1  3x3, 1 -> c1, pad 1, ReLU, maxpool 2      [N, 32, 32, c1] -> [N, 16, 16, c1]
 * conv2  3x3, c1 -> c2, pad 1, ReLU, maxpool 2     [N, 16, 16, c2] -> [N, 8, 8, c2]
 * fc1    8*8*c2 -> F, ReLU                         the F-dimensional penultimate features
 * fc2    F -> 10                                   logits
 * </pre>
 * Weights use PyTorch's layouts ({@code conv.weight [out, in, 3, 3]}, {@code fc.weight [out, in]}); activations are
 * channels-last, so fc1's input is flattened in (h, w, c) order. The parameter arrays are the state dict's own
 * arrays: training updates them in place.
 */
public final class FashionClassifier implements SampleJudge {
    /** Side of the (padded) input images. */
    public static final int IMAGE_SIZE = 32;
    public static final int CLASSES = 10;
    /** Where the shipped weights live on the classpath. */
    public static final String RESOURCE = "/io/ditcache/models/fmnist-classifier.safetensors";
    /** The parameter names in order, as in the weights file. */
    static final String[] PARAMETERS = {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
        "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"};
    /** Images per inference chunk: bounds the activation memory (about 30 MB at the default size). */
    private static final int CHUNK = 128;

    private final StateDict weights;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final int features;
    private final float[] conv1W;
    private final float[] conv1B;
    private final float[] conv2W;
    private final float[] conv2B;
    private final float[] fc1W;
    private final float[] fc1B;
    private final float[] fc2W;
    private final float[] fc2B;

    /** Wraps {@code weights} (not copied); the channel counts and feature size are read from their shapes. */
    public FashionClassifier(StateDict weights) {
        Tensor c1w = weights.get("conv1.weight");
        Tensor c2w = weights.get("conv2.weight");
        Tensor f1w = weights.get("fc1.weight");
        if (c1w.rank() != 4 || c2w.rank() != 4 || f1w.rank() != 2) {
            throw new IllegalArgumentException("classifier weights: conv1.weight " + c1w.shapeString() + ", conv2.weight "
                    + c2w.shapeString() + ", fc1.weight " + f1w.shapeString() + " are not [out, in, 3, 3] / [out, in]");
        }
        int c1 = c1w.dim(0);
        int c2 = c2w.dim(0);
        this.features = f1w.dim(0);
        this.weights = weights;
        this.conv1 = new Conv2d(1, c1, 3, 1);
        this.conv2 = new Conv2d(c1, c2, 3, 1);
        int flat = (IMAGE_SIZE / 4) * (IMAGE_SIZE / 4) * c2;
        conv1W = weights.get("conv1.weight", c1, 1, 3, 3).data();
        conv1B = weights.get("conv1.bias", c1).data();
        conv2W = weights.get("conv2.weight", c2, c1, 3, 3).data();
        conv2B = weights.get("conv2.bias", c2).data();
        fc1W = weights.get("fc1.weight", features, flat).data();
        fc1B = weights.get("fc1.bias", features).data();
        fc2W = weights.get("fc2.weight", CLASSES, features).data();
        fc2B = weights.get("fc2.bias", CLASSES).data();
    }

    /** Fresh weights with PyTorch's default initialisation (uniform in +-1/sqrt(fan_in)), from {@code seed}. */
    public static FashionClassifier random(int channels1, int channels2, int features, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int flat = (IMAGE_SIZE / 4) * (IMAGE_SIZE / 4) * channels2;
        StateDict w = new StateDict();
        w.put("conv1.weight", uniform(rng, 9, channels1, 1, 3, 3));
        w.put("conv1.bias", uniform(rng, 9, channels1));
        w.put("conv2.weight", uniform(rng, 9 * channels1, channels2, channels1, 3, 3));
        w.put("conv2.bias", uniform(rng, 9 * channels1, channels2));
        w.put("fc1.weight", uniform(rng, flat, features, flat));
        w.put("fc1.bias", uniform(rng, flat, features));
        w.put("fc2.weight", uniform(rng, features, CLASSES, features));
        w.put("fc2.bias", uniform(rng, features, CLASSES));
        return new FashionClassifier(w);
    }

    private static Tensor uniform(SplittableRandom rng, int fanIn, int... shape) {
        Tensor t = Tensor.zeros(shape);
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return t;
    }

    /** Reads a classifier from a safetensors file. */
    public static FashionClassifier load(Path file) throws IOException {
        return new FashionClassifier(SafeTensors.read(file));
    }

    /** The classifier shipped in the jar ({@link #RESOURCE}), trained by {@link ClassifierTrainer}. */
    public static FashionClassifier loadDefault() {
        try (InputStream in = FashionClassifier.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the shipped classifier " + RESOURCE + " is missing from the classpath");
            }
            Path tmp = Files.createTempFile("fmnist-classifier", ".safetensors");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped classifier " + RESOURCE, e);
        }
    }

    /** The weights (live: the arrays the model computes with), with their metadata. */
    public StateDict stateDict() {
        return weights;
    }

    public int channels1() {
        return conv1.outChannels();
    }

    public int channels2() {
        return conv2.outChannels();
    }

    /** Length of the penultimate feature vector. */
    public int featureSize() {
        return features;
    }

    /** "conv3x3(1->c1)-relu-maxpool2, conv3x3(c1->c2)-relu-maxpool2, fc(8*8*c2->F)-relu, fc(F->10)". */
    public String architecture() {
        return "conv3x3(1->" + channels1() + ",pad1)-relu-maxpool2, conv3x3(" + channels1() + "->" + channels2()
                + ",pad1)-relu-maxpool2, fc(" + (IMAGE_SIZE / 4) * (IMAGE_SIZE / 4) * channels2() + "->" + features
                + ")-relu [features], fc(" + features + "->" + CLASSES + ")";
    }

    /** Logits [N, 10] and penultimate features [N, F] of one pass. */
    public record Output(Tensor logits, Tensor features) {
    }

    /** Runs the network over {@code images} [N, 1, 32, 32] in chunks (each kernel multithreaded). */
    public Output forward(Tensor images) {
        int n = checkImages(images);
        float[] logits = new float[n * CLASSES];
        float[] feats = new float[n * features];
        int per = IMAGE_SIZE * IMAGE_SIZE;
        ClassifierActivations acts = new ClassifierActivations(this, Math.min(CHUNK, Math.max(n, 1)));
        for (int start = 0; start < n; start += CHUNK) {
            int m = Math.min(CHUNK, n - start);
            float[] x = java.util.Arrays.copyOfRange(images.data(), start * per, (start + m) * per);
            forward(x, m, acts);
            System.arraycopy(acts.logits, 0, logits, start * CLASSES, m * CLASSES);
            System.arraycopy(acts.hidden, 0, feats, start * features, m * features);
        }
        return new Output(Tensor.of(logits, n, CLASSES), Tensor.of(feats, n, features));
    }

    /** The penultimate (post-ReLU) features, one row per image: the space of the classifier-feature FID. */
    @Override
    public float[][] features(Tensor images) {
        Tensor f = forward(images).features();
        float[][] rows = new float[f.dim(0)][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = java.util.Arrays.copyOfRange(f.data(), i * features, (i + 1) * features);
        }
        return rows;
    }

    /** The most likely class of each image (the first on ties). */
    @Override
    public int[] predict(Tensor images) {
        return argmax(forward(images).logits());
    }

    /** Share of {@code images} whose predicted class equals {@code labels}. */
    public double accuracy(Tensor images, int[] labels) {
        int[] pred = predict(images);
        if (pred.length != labels.length) {
            throw new IllegalArgumentException(pred.length + " images but " + labels.length + " labels");
        }
        int right = 0;
        for (int i = 0; i < pred.length; i++) {
            right += pred[i] == labels[i] ? 1 : 0;
        }
        return pred.length == 0 ? 0 : (double) right / pred.length;
    }

    static int[] argmax(Tensor logits) {
        int n = logits.dim(0);
        int c = logits.dim(1);
        float[] l = logits.data();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) {
                if (l[i * c + j] > l[i * c + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }

    private static int checkImages(Tensor images) {
        if (images.rank() != 4 || images.dim(1) != 1 || images.dim(2) != IMAGE_SIZE || images.dim(3) != IMAGE_SIZE) {
            throw new IllegalArgumentException("the Fashion-MNIST classifier takes images [N, 1, " + IMAGE_SIZE + ", "
                    + IMAGE_SIZE + "], got " + images.shapeString());
        }
        return images.dim(0);
    }

    /** Forward pass of {@code n} images x[n, 32, 32] (one channel, so NCHW and NHWC agree) into {@code a}. */
    void forward(float[] x, int n, ClassifierActivations a) {
        if (n > a.capacity) {
            throw new IllegalArgumentException(n + " images for activations sized for " + a.capacity);
        }
        int s = IMAGE_SIZE;
        int c1 = channels1();
        int c2 = channels2();
        int flat = (s / 4) * (s / 4) * c2;
        conv1.forward(a.conv1, a.cols1, x, conv1W, conv1B, n, s, s);
        Relu.forward(a.conv1, a.conv1, n * s * s * c1);
        MaxPool2d.forward(a.pool1, a.argmax1, a.conv1, n, s, s, c1);
        conv2.forward(a.conv2, a.cols2, a.pool1, conv2W, conv2B, n, s / 2, s / 2);
        Relu.forward(a.conv2, a.conv2, n * (s / 2) * (s / 2) * c2);
        MaxPool2d.forward(a.pool2, a.argmax2, a.conv2, n, s / 2, s / 2, c2);
        Linear.forward(a.pool2, n, flat, fc1W, fc1B, features, a.hidden);
        Relu.forward(a.hidden, a.hidden, n * features);
        Linear.forward(a.hidden, n, features, fc2W, fc2B, CLASSES, a.logits);
    }

    /**
     * Cross-entropy of the last {@link #forward(float[], int, ClassifierActivations)} against {@code labels}, and its
     * gradients ADDED into {@code grads} (same names and shapes as the weights). Returns the mean loss.
     */
    double backward(int[] labels, int n, ClassifierActivations a, StateDict grads) {
        int s = IMAGE_SIZE;
        int c1 = channels1();
        int c2 = channels2();
        int flat = (s / 4) * (s / 4) * c2;
        double loss = SoftmaxCrossEntropy.forward(a.probs, a.logits, labels, n, CLASSES);
        a.zeroGradients();
        SoftmaxCrossEntropy.backward(a.dLogits, a.probs, labels, n, CLASSES);
        Linear.backward(a.dLogits, a.hidden, fc2W, n, features, CLASSES, a.dHidden, true, grad(grads, "fc2.weight"),
                grad(grads, "fc2.bias"));
        Relu.backward(a.dHiddenPre, a.dHidden, a.hidden, n * features);
        Linear.backward(a.dHiddenPre, a.pool2, fc1W, n, flat, features, a.dPool2, true, grad(grads, "fc1.weight"),
                grad(grads, "fc1.bias"));
        MaxPool2d.backward(a.dConv2, a.dPool2, a.argmax2, n * flat);
        Relu.backward(a.dConv2Pre, a.dConv2, a.conv2, n * (s / 2) * (s / 2) * c2);
        conv2.backward(a.dPool1, grad(grads, "conv2.weight"), grad(grads, "conv2.bias"), a.dConv2Pre, a.cols2, conv2W,
                n, s / 2, s / 2);
        MaxPool2d.backward(a.dConv1, a.dPool1, a.argmax1, n * (s / 2) * (s / 2) * c1);
        Relu.backward(a.dConv1Pre, a.dConv1, a.conv1, n * s * s * c1);
        conv1.backward(null, grad(grads, "conv1.weight"), grad(grads, "conv1.bias"), a.dConv1Pre, a.cols1, conv1W,
                n, s, s);
        return loss;
    }

    private static float[] grad(StateDict grads, String name) {
        return grads.get(name).data();
    }

    /** Zero tensors with the names and shapes of the weights: a gradient accumulator for {@link #backward}. */
    StateDict zeroGradients() {
        StateDict g = new StateDict();
        for (String name : PARAMETERS) {
            g.put(name, Tensor.zeros(weights.get(name).shape()));
        }
        return g;
    }
}
