package io.ditcache.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static io.ditcache.data.IdxTestFiles.gzip;
import static io.ditcache.data.IdxTestFiles.idx;
import static io.ditcache.data.IdxTestFiles.pattern;
import static io.ditcache.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsGzippedAndPlainImages() throws IOException {
        byte[] data = pattern(3 * 4 * 5, 7);
        byte[] plain = idx(IdxReader.IMAGES_MAGIC, new int[] {3, 4, 5}, data);
        for (Path file : new Path[] {write(tmp.resolve("a.gz"), gzip(plain)), write(tmp.resolve("a"), plain)}) {
            IdxReader.IdxArray a = IdxReader.readImages(file);
            assertArrayEquals(new int[] {3, 4, 5}, a.dims());
            assertArrayEquals(data, a.data());
            assertTrue(a.count() == 3);
        }
    }

    @Test
    void readsLabels() throws IOException {
        byte[] labels = {0, 9, 3, 3, 1};
        Path file = write(tmp.resolve("l.gz"), gzip(idx(IdxReader.LABELS_MAGIC, new int[] {5}, labels)));
        assertArrayEquals(new int[] {0, 9, 3, 3, 1}, IdxReader.readLabels(file, 10));
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        Path file = write(tmp.resolve("labels-as-images.gz"),
                gzip(idx(IdxReader.LABELS_MAGIC, new int[] {5}, new byte[5])));
        assertError(() -> IdxReader.readImages(file), file, "magic is 0x00000801, expected 0x00000803");
    }

    @Test
    void rejectsTruncatedData() throws IOException {
        Path file = write(tmp.resolve("short.gz"), gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {3, 4, 5}, new byte[2 * 20])));
        assertError(() -> IdxReader.readImages(file), file, "truncated: the header declares [3, 4, 5] = 60 bytes");
    }

    @Test
    void rejectsTrailingData() throws IOException {
        Path file = write(tmp.resolve("long.gz"), gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {3, 4, 5}, new byte[61])));
        assertError(() -> IdxReader.readImages(file), file, "trailing bytes");
    }

    @Test
    void rejectsTruncatedHeader() throws IOException {
        byte[] full = idx(IdxReader.IMAGES_MAGIC, new int[] {3, 4, 5}, new byte[60]);
        Path file = write(tmp.resolve("header.gz"), gzip(Arrays.copyOf(full, 9)));
        assertError(() -> IdxReader.readImages(file), file, "truncated or corrupt");
    }

    @Test
    void rejectsBadDimensions() throws IOException {
        Path file = write(tmp.resolve("dims.gz"), gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {3, 0, 5}, new byte[0])));
        assertError(() -> IdxReader.readImages(file), file, "dimension 1 is 0");
    }

    @Test
    void rejectsDimensionsWhoseProductOverflows() throws IOException {
        int max = Integer.MAX_VALUE;
        // (2^31 - 1)^3 overflows a long; it used to wrap to a bogus size.
        Path file = write(tmp.resolve("overflow"), idx(IdxReader.IMAGES_MAGIC, new int[] {max, max, max}, new byte[0]));
        assertError(() -> IdxReader.readImages(file), file, "IDX dimensions [2147483647, 2147483647, 2147483647] are too large");
        Path big = write(tmp.resolve("big.gz"), gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {65536, 256, 256}, new byte[0])));
        assertError(() -> IdxReader.readImages(big), big, "are too large");
        Path negative = write(tmp.resolve("neg"), idx(IdxReader.LABELS_MAGIC, new int[] {-1}, new byte[0]));
        assertError(() -> IdxReader.readLabels(negative, 10), negative, "dimension 0 is -1");
        // Declares a million 28x28 images and holds none: a truncation error, not a 784 MB allocation up front.
        Path cut = write(tmp.resolve("cut"), idx(IdxReader.IMAGES_MAGIC, new int[] {1_000_000, 28, 28}, new byte[3]));
        assertError(() -> IdxReader.readImages(cut), cut, "= 784000000 bytes of data but only 3 follow");
    }

    @Test
    void rejectsLabelOutOfRange() throws IOException {
        Path file = write(tmp.resolve("l.gz"), gzip(idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {1, 10, 2})));
        assertError(() -> IdxReader.readLabels(file, 10), file, "label 1 is 10, outside 0..9");
    }

    @Test
    void rejectsCutGzipStream() throws IOException {
        byte[] gz = gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {50, 8, 8}, pattern(3200, 3)));
        Path file = write(tmp.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertError(() -> IdxReader.readImages(file), file, "truncated or corrupt");
    }

    @Test
    void rejectsCorruptGzipStream() throws IOException {
        byte[] gz = gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {50, 8, 8}, pattern(3200, 3)));
        for (int i = gz.length / 3; i < gz.length / 3 + 16; i++) {
            gz[i] ^= (byte) 0x5a;
        }
        Path file = write(tmp.resolve("flipped.gz"), gz);
        assertError(() -> IdxReader.readImages(file), file, "");
    }

    interface Read {
        void run() throws IOException;
    }

    static void assertError(Read read, Path file, String fragment) {
        IOException e = assertThrows(IOException.class, read::run);
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), () -> "message does not name the file: " + m);
        assertTrue(m.contains(fragment), () -> "message lacks '" + fragment + "': " + m);
    }
}
