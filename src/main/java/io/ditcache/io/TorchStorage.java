package io.ditcache.io;

import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One storage of a torch.save zip archive ({@code <prefix>data/<key>}): a flat little-endian array that
 * tensors view with an offset, a size and strides. The bytes are read when a tensor is materialized, not
 * kept, so a checkpoint costs its float copies plus one storage at a time.
 */
final class TorchStorage {
    private final Path file;
    private final ZipFile zip;
    private final String entryName;
    private final String key;
    final ElementType type;

    TorchStorage(Path file, ZipFile zip, String prefix, String key, ElementType type) {
        this.file = file;
        this.zip = zip;
        this.entryName = prefix + "data/" + key;
        this.key = key;
        this.type = type;
    }

    /** A dense row-major float copy of the view {@code (offset, size, stride)}, non-contiguous views included. */
    Tensor view(long offset, int[] size, long[] stride) {
        if (size.length != stride.length) {
            throw new IllegalArgumentException("tensor on storage '" + key + "' has size " + Arrays.toString(size)
                    + " but stride " + Arrays.toString(stride));
        }
        long numel = 1;
        for (int d = 0; d < size.length; d++) {
            if (size[d] < 0 || stride[d] < 0) {
                throw new IllegalArgumentException("tensor on storage '" + key + "' has size " + Arrays.toString(size)
                        + ", stride " + Arrays.toString(stride) + ": negative entries");
            }
            numel = Math.min(numel * size[d], Long.MAX_VALUE / Integer.MAX_VALUE); // saturates, cannot overflow
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor on storage '" + key + "' has size " + Arrays.toString(size)
                    + ", more elements than one Java array holds");
        }
        if (numel == 0) {
            return Tensor.of(new float[0], size);
        }
        ByteBuffer bytes = read();
        long available = bytes.capacity() / type.bytes;
        long last = offset;
        try {
            for (int d = 0; d < size.length; d++) {
                last = Math.addExact(last, Math.multiplyExact((long) size[d] - 1, stride[d]));
            }
        } catch (ArithmeticException e) {
            last = Long.MAX_VALUE;
        }
        if (offset < 0 || last >= available) {
            throw new IllegalArgumentException("tensor of size " + Arrays.toString(size) + ", stride "
                    + Arrays.toString(stride) + " at offset " + offset + " reaches element " + last + " but storage '"
                    + key + "' holds " + available + " " + type + " elements: file truncated or corrupt?");
        }
        float[] out = new float[(int) numel];
        if (isRowMajor(size, stride)) {
            type.decode(bytes, (int) offset, out);
        } else {
            gather(bytes, offset, size, stride, out);
        }
        return Tensor.of(out, size);
    }

    /** Copies a strided view element by element in row-major order, an odometer over the indices. */
    private void gather(ByteBuffer bytes, long offset, int[] size, long[] stride, float[] out) {
        int[] index = new int[size.length];
        long at = offset;
        for (int i = 0; i < out.length; i++) {
            out[i] = type.get(bytes, (int) at);
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    at += stride[d];
                    break;
                }
                at -= (size[d] - 1) * stride[d];
                index[d] = 0;
            }
        }
    }

    private static boolean isRowMajor(int[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    private ByteBuffer read() {
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw new IllegalArgumentException("storage '" + key + "' (" + entryName + ") is missing from the archive");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read storage " + entryName + ": " + e.getMessage(), e);
        }
    }
}
