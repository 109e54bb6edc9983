package io.ditcache.data;

import io.ditcache.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST from Debian's {@code dataset-fashion-mnist} package (IDX files, gzipped, under
 * {@code /usr/share/datasets/fashion-mnist}). Images come out as [N, 1, 32, 32] floats in [-1, 1]: the 28x28 originals scaled by
 * {@code p / 127.5 - 1} and padded with 2 pixels of black (-1) on every side, the size the embedded DiT works at.
 */
public final class FashionMnist {
    /** Where Debian installs the dataset, as text (a constant, for the options' help). */
    public static final String DEFAULT_DIR_NAME = "/usr/share/datasets/fashion-mnist";
    /** Where Debian installs the dataset. */
    public static final Path DEFAULT_DIR = Path.of(DEFAULT_DIR_NAME);
    /** Padding added on each side of the 28x28 images. */
    public static final int PAD = 2;
    /** Side of a padded image. */
    public static final int IMAGE_SIZE = 28 + 2 * PAD;
    /** Class names in label order. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The two splits and their file prefixes. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        public String imagesFile() {
            return prefix + "-images-idx3-ubyte.gz";
        }

        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte.gz";
        }
    }

    private final Path dir;

    /** Reads from {@link #DEFAULT_DIR}. */
    public FashionMnist() {
        this(DEFAULT_DIR);
    }

    /** Reads from {@code dir} (the CLI's {@code --data-dir}). */
    public FashionMnist(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    public Dataset train() throws IOException {
        return load(Split.TRAIN);
    }

    public Dataset test() throws IOException {
        return load(Split.TEST);
    }

    /** Loads and validates one split; a missing file gives a {@link NoSuchFileException} that says how to install it. */
    public Dataset load(Split split) throws IOException {
        Path imagesFile = locate(split.imagesFile());
        Path labelsFile = locate(split.labelsFile());
        IdxReader.IdxArray raw = IdxReader.readImages(imagesFile);
        int[] labels = IdxReader.readLabels(labelsFile, CLASS_NAMES.size());
        if (labels.length != raw.count()) {
            throw new IOException(imagesFile + " holds " + raw.count() + " images but " + labelsFile + " holds "
                    + labels.length + " labels");
        }
        return new Dataset("fashion-mnist/" + split.name().toLowerCase(java.util.Locale.ROOT), toImages(raw, PAD),
                labels, CLASS_NAMES);
    }

    /**
     * Converts unsigned-byte images [N, rows, cols] to floats [N, 1, rows + 2 pad, cols + 2 pad] in [-1, 1]
     * ({@code p / 127.5 - 1}), the border filled with -1 (black).
     */
    public static Tensor toImages(IdxReader.IdxArray raw, int pad) {
        int n = raw.dims()[0];
        int rows = raw.dims()[1];
        int cols = raw.dims()[2];
        int h = rows + 2 * pad;
        int w = cols + 2 * pad;
        float[] out = new float[n * h * w];
        java.util.Arrays.fill(out, -1f);
        byte[] src = raw.data();
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < rows; r++) {
                int s = (i * rows + r) * cols;
                int d = (i * h + r + pad) * w + pad;
                for (int c = 0; c < cols; c++) {
                    out[d + c] = (float) ((src[s + c] & 0xff) / 127.5 - 1.0);
                }
            }
        }
        return Tensor.of(out, n, 1, h, w);
    }

    /** Checks that {@code split}'s two files are there (cheap: reads nothing). */
    public void checkPresent(Split split) throws NoSuchFileException {
        locate(split.imagesFile());
        locate(split.labelsFile());
    }

    /** The file, or its un-gzipped twin when only that exists; otherwise an error that says how to get the data. */
    private Path locate(String gzName) throws NoSuchFileException {
        Path gz = dir.resolve(gzName);
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(gzName.substring(0, gzName.length() - 3));
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new NoSuchFileException(gz.toString(), null, "Fashion-MNIST file not found. Install the dataset with "
                + "`sudo apt-get install -y dataset-fashion-mnist` (it goes to " + DEFAULT_DIR + "), or point "
                + "--data-dir (FashionMnist(Path) in the API) at a directory holding " + Split.TRAIN.imagesFile() + ", "
                + Split.TRAIN.labelsFile() + ", " + Split.TEST.imagesFile() + " and " + Split.TEST.labelsFile());
    }
}
