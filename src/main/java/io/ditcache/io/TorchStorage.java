package io.ditcache.io;

import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One storage of a torch.save zip archive ({@code <prefix>data/<key>}): a flat little-endian array that
 * tensors view with an offset, a size and strides. The bytes are read when a tensor is materialized, not
 * kept, so a checkpoint costs its float copies plus one storage at a time. A view may not materialize more elements
 * than its storage holds (a broadcast view would turn a few stored bytes into gigabytes).
 */
final class TorchStorage {
    /** Most bytes of one storage: one Java array. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    /**
     * What the tensors of one checkpoint may materialize in all: twice the elements of the storages they view, plus
     * {@value #SLACK} (tied weights view a storage twice). Without it a small pickle could rebuild one storage's
     * tensor a hundred thousand times (a few bytes per REDUCE) and exhaust memory.
     */
    static final class Budget {
        static final long SLACK = 1 << 20;
        private final Set<String> seen = new HashSet<>();
        private long stored;
        private long materialized;

        void charge(String storage, long elements, long numel) {
            if (seen.add(storage)) {
                stored += elements;
            }
            materialized += numel;
            if (materialized > 2 * stored + SLACK) {
                throw new IllegalArgumentException("the tensors would materialize " + materialized + " elements"
                        + " from storages holding " + stored + ", more than twice as many (the same storage rebuilt"
                        + " again and again): refused before allocating");
            }
        }
    }

    private final Path file;
    private final ZipFile zip;
    private final String entryName;
    private final String key;
    private final Budget budget;
    final ElementType type;

    TorchStorage(Path file, ZipFile zip, String prefix, String key, ElementType type, Budget budget) {
        this.file = file;
        this.zip = zip;
        this.entryName = prefix + "data/" + key;
        this.key = key;
        this.type = type;
        this.budget = budget;
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
        if (numel > available) {
            // Every index is in range, so elements repeat: a broadcast (stride 0, as expand() gives) or overlapping view.
            throw new IllegalArgumentException("tensor of size " + Arrays.toString(size) + ", stride "
                    + Arrays.toString(stride) + " would materialize " + numel + " elements from storage '" + key
                    + "', which holds " + available + " " + type + " elements (a broadcast or overlapping view): refused"
                    + " before allocating; save the tensor .contiguous()");
        }
        budget.charge(entryName, available, numel);
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

    /** The storage's bytes; its size is the zip entry's declared one (at most one Java array), checked as read. */
    private ByteBuffer read() {
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw new IllegalArgumentException("storage '" + key + "' (" + entryName + ") is missing from the archive");
        }
        long declared = entry.getSize();
        if (declared < 0 || declared > MAX_BYTES) {
            throw new IllegalArgumentException("storage '" + key + "' (" + entryName + ") declares " + declared
                    + " bytes; at most " + MAX_BYTES + " are read into one storage");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) declared);
            if (bytes.length != declared || in.read() != -1) {
                throw new IllegalArgumentException("storage '" + key + "' (" + entryName + ") holds "
                        + (bytes.length != declared ? bytes.length : "more than " + declared) + " bytes, its zip entry "
                        + "declares " + declared + ": corrupt archive");
            }
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read storage " + entryName + ": " + e.getMessage(), e);
        }
    }
}
