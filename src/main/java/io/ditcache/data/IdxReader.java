package io.ditcache.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST family's format: big-endian magic {@code 0x0000TTRR} with type TT and rank RR,
 * then RR big-endian dimensions, then the data), gzipped or plain, unsigned-byte data only.
 * Every check that fails names the file: wrong magic, bad dimensions, truncated or trailing data, corrupt gzip.
 */
public final class IdxReader {
    /** Magic of a rank-3 unsigned-byte file: images [N, rows, cols]. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of a rank-1 unsigned-byte file: labels [N]. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int UBYTE_TYPE = 0x08;

    private IdxReader() {
    }

    /** The contents of one IDX file: its dimensions and its unsigned bytes (row-major, not copied). */
    public record IdxArray(Path source, int[] dims, byte[] data) {
        /** Size of the first dimension (number of items). */
        public int count() {
            return dims[0];
        }

        /** Unsigned value of byte {@code i}. */
        public int unsigned(int i) {
            return data[i] & 0xff;
        }
    }

    /** Reads a rank-3 unsigned-byte file (magic 0x00000803). */
    public static IdxArray readImages(Path file) throws IOException {
        return read(file, IMAGES_MAGIC);
    }

    /** Reads a rank-1 unsigned-byte file (magic 0x00000801) and checks every label is in [0, numClasses). */
    public static int[] readLabels(Path file, int numClasses) throws IOException {
        IdxArray raw = read(file, LABELS_MAGIC);
        int[] labels = new int[raw.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = raw.unsigned(i);
            if (labels[i] >= numClasses) {
                throw new IOException(file + ": label " + i + " is " + labels[i] + ", outside 0.." + (numClasses - 1));
            }
        }
        return labels;
    }

    /**
     * Reads an unsigned-byte IDX file whose magic must equal {@code expectedMagic} (which also fixes the rank).
     * The file may be gzipped (detected from its first bytes) or plain.
     */
    public static IdxArray read(Path file, int expectedMagic) throws IOException {
        if ((expectedMagic >>> 8) != UBYTE_TYPE) {
            throw new IllegalArgumentException(String.format("only unsigned-byte IDX files are supported, asked for magic 0x%08x", expectedMagic));
        }
        try (DataInputStream in = new DataInputStream(open(file))) {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new IOException(String.format("%s: IDX magic is 0x%08x, expected 0x%08x", file, magic, expectedMagic));
            }
            int[] dims = new int[expectedMagic & 0xff];
            long total = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
                    throw new IOException(file + ": IDX dimension " + i + " is " + dims[i]);
                }
                total = Math.min(total * dims[i], Integer.MAX_VALUE); // saturates: (2^31)^3 would overflow a long
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": IDX dimensions " + Arrays.toString(dims) + " are too large");
            }
            byte[] data = in.readNBytes((int) total);
            if (data.length != total) {
                throw new IOException(file + ": truncated: the header declares " + Arrays.toString(dims) + " = " + total
                        + " bytes of data but only " + data.length + " follow");
            }
            if (in.read() != -1) {
                throw new IOException(file + ": trailing bytes after the " + total + " bytes of data declared by "
                        + Arrays.toString(dims));
            }
            return new IdxArray(file, dims, data);
        } catch (EOFException | ZipException e) {
            throw new IOException(file + ": truncated or corrupt (" + e.getMessage() + ")", e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            return gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }
}
