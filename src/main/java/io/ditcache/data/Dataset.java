package io.ditcache.data;

import io.ditcache.tensor.Tensor;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A labelled image set held in memory: images [N, C, H, W] as floats (in [-1, 1] for our loaders), one label per
 * image in [0, classNames.size()), and the class names. The arrays are shared, not copied.
 */
public record Dataset(String name, Tensor images, int[] labels, List<String> classNames) {

    public Dataset {
        if (images.rank() != 4) {
            throw new IllegalArgumentException(name + ": images must be [N, C, H, W], got " + images.shapeString());
        }
        if (images.dim(0) != labels.length) {
            throw new IllegalArgumentException(name + ": " + images.dim(0) + " images but " + labels.length + " labels");
        }
        classNames = List.copyOf(classNames);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + i + " is " + labels[i] + ", outside 0.."
                        + (classNames.size() - 1));
            }
        }
    }

    /** A batch gathered from the dataset: copied images [B, C, H, W], their labels, and their indices in the dataset. */
    public record Batch(Tensor images, int[] labels, int[] indices) {
        public int size() {
            return labels.length;
        }
    }

    public int size() {
        return labels.length;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** Shape of one image, [C, H, W]. */
    public int[] imageShape() {
        return new int[] {images.dim(1), images.dim(2), images.dim(3)};
    }

    /** How many images carry each label. */
    public int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** Copies the images and labels at {@code indices} into a batch. */
    public Batch gather(int[] indices) {
        int per = images.dim(1) * images.dim(2) * images.dim(3);
        float[] src = images.data();
        float[] dst = new float[indices.length * per];
        int[] batchLabels = new int[indices.length];
        for (int b = 0; b < indices.length; b++) {
            int i = indices[b];
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException(name + ": index " + i + " outside 0.." + (size() - 1));
            }
            System.arraycopy(src, i * per, dst, b * per, per);
            batchLabels[b] = labels[i];
        }
        return new Batch(Tensor.of(dst, indices.length, images.dim(1), images.dim(2), images.dim(3)), batchLabels,
                indices.clone());
    }

    /** The first {@code n} images (or all, if fewer), as a batch. */
    public Batch head(int n) {
        int[] idx = new int[Math.min(n, size())];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        return gather(idx);
    }

    /** {@code batchSize} indices drawn uniformly with replacement from {@code rng}: for iteration-counted training loops. */
    public Batch randomBatch(int batchSize, RandomGenerator rng) {
        int[] idx = new int[batchSize];
        for (int b = 0; b < batchSize; b++) {
            idx[b] = rng.nextInt(size());
        }
        return gather(idx);
    }

    /** A permutation of 0..N-1, shuffled by Fisher-Yates from {@code SplittableRandom(seed)}: the same seed, the same order. */
    public int[] shuffledOrder(long seed) {
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * One epoch in batches of {@code batchSize} in the order {@link #shuffledOrder(long)} gives for {@code seed}
     * (the last batch may be smaller). Use a different seed per epoch, e.g. {@code seed + epoch}.
     */
    public Iterable<Batch> batches(int batchSize, long seed) {
        return batchesInOrder(batchSize, shuffledOrder(seed));
    }

    /** One epoch in dataset order, in batches of {@code batchSize} (the last may be smaller). */
    public Iterable<Batch> batchesInOrder(int batchSize) {
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return batchesInOrder(batchSize, order);
    }

    private Iterable<Batch> batchesInOrder(int batchSize, int[] order) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        return () -> new Iterator<>() {
            private int next = 0;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int end = Math.min(order.length, next + batchSize);
                int[] idx = java.util.Arrays.copyOfRange(order, next, end);
                next = end;
                return gather(idx);
            }
        };
    }
}
