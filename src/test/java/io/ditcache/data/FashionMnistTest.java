package io.ditcache.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static io.ditcache.data.IdxTestFiles.gzip;
import static io.ditcache.data.IdxTestFiles.idx;
import static io.ditcache.data.IdxTestFiles.pattern;
import static io.ditcache.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FashionMnistTest {
    private static Dataset train;
    private static Dataset test;
    private static IdxReader.IdxArray rawTest;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws IOException {
        Path dir = FashionMnist.DEFAULT_DIR;
        assumeTrue(Files.isRegularFile(dir.resolve(FashionMnist.Split.TRAIN.imagesFile())),
                "Fashion-MNIST not installed (sudo apt-get install -y dataset-fashion-mnist)");
        FashionMnist fm = new FashionMnist();
        train = fm.train();
        test = fm.test();
        rawTest = IdxReader.readImages(dir.resolve(FashionMnist.Split.TEST.imagesFile()));
    }

    @Test
    void countsAndShapes() {
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        assertArrayEquals(new int[] {60000, 1, 32, 32}, train.images().shape());
        assertArrayEquals(new int[] {10000, 1, 32, 32}, test.images().shape());
        assertEquals("Ankle boot", train.classNames().get(9));
    }

    @Test
    void labelsAreBalanced() {
        for (int c : train.classCounts()) {
            assertEquals(6000, c);
        }
        for (int c : test.classCounts()) {
            assertEquals(1000, c);
        }
    }

    @Test
    void pixelsSpanMinusOneToOne() {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : train.images().data()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(-1f, min);
        assertEquals(1f, max);
    }

    @Test
    void borderIsBlackAndInteriorMatchesRawBytes() {
        float[] img = test.images().data();
        for (int i = 0; i < test.size(); i += 997) {
            for (int r = 0; r < 32; r++) {
                for (int c = 0; c < 32; c++) {
                    float v = img[(i * 32 + r) * 32 + c];
                    boolean border = r < 2 || r >= 30 || c < 2 || c >= 30;
                    float expected = border ? -1f
                            : (float) (rawTest.unsigned((i * 28 + r - 2) * 28 + c - 2) * 2 / 255.0 - 1);
                    assertEquals(expected, v, 1e-6f, "image " + i + " pixel " + r + "," + c);
                }
            }
        }
    }

    @Test
    void missingDatasetSaysHowToInstall() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> new FashionMnist(tmp.resolve("nowhere")).train());
        assertTrue(e.getMessage().contains("sudo apt-get install -y dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
    }

    @Test
    void corruptedCopyNamesTheFile() throws IOException {
        byte[] real = Files.readAllBytes(FashionMnist.DEFAULT_DIR.resolve(FashionMnist.Split.TEST.labelsFile()));
        write(tmp.resolve(FashionMnist.Split.TEST.imagesFile()),
                Files.readAllBytes(FashionMnist.DEFAULT_DIR.resolve(FashionMnist.Split.TEST.imagesFile())));
        Path labels = write(tmp.resolve(FashionMnist.Split.TEST.labelsFile()), java.util.Arrays.copyOf(real, real.length - 40));
        IdxReaderTest.assertError(() -> new FashionMnist(tmp).test(), labels, "truncated or corrupt");
    }

    @Test
    void smallSyntheticSplitLoadsAndMismatchedCountsFail() throws IOException {
        byte[] pixels = pattern(3 * 28 * 28, 11);
        write(tmp.resolve("t10k-images-idx3-ubyte.gz"), gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {3, 28, 28}, pixels)));
        Path labels = write(tmp.resolve("t10k-labels-idx1-ubyte.gz"),
                gzip(idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {4, 0, 9})));
        Dataset d = new FashionMnist(tmp).test();
        assertArrayEquals(new int[] {4, 0, 9}, d.labels());
        assertEquals((pixels[0] & 0xff) / 127.5 - 1, d.images().get(0, 0, 2, 2), 1e-6);

        write(labels, gzip(idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {4, 0})));
        IOException e = assertThrows(IOException.class, () -> new FashionMnist(tmp).test());
        assertTrue(e.getMessage().contains("3 images") && e.getMessage().contains(labels.toString()), e.getMessage());
    }
}
