package io.ditcache.io;

import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian tensor data. No code runs on load, which
 * makes it the preferred format for sharing weights. Tensors are read one at a time from the file channel,
 * so a 2.7 GB checkpoint needs only the float copy in memory, plus one tensor's bytes.
 *
 * <p>Reading accepts F32, F16, BF16 and F64 (converted to float) and, for small index or count tensors,
 * I64/I32/I16/I8/U8/BOOL read as float (exact up to 2^24). Writing uses one {@link DType} for all tensors.
 */
public final class SafeTensors {
    /** Largest header we accept; real headers are kilobytes, so more means a corrupt length field. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    private static final int WRITE_CHUNK_BYTES = 1 << 20;
    /** Bytes read per call: a tensor is not held twice (as bytes and as floats) while it is read. */
    private static final int READ_CHUNK_BYTES = 4 << 20;

    private SafeTensors() {
    }

    /** Reads every tensor (as float32) and the {@code __metadata__} map of {@code file}. */
    public static StateDict read(Path file) throws IOException {
        return readHeaderThen(file, (dict, e, in, dataStart) ->
                dict.put(e.name(), Tensor.of(values(in, dataStart, e), e.shape())));
    }

    /**
     * The tensors of {@code file} as lazy entries ({@link StateDict#putLazy}): the header is read and checked now,
     * each tensor's bytes when the entry is read (the file is reopened for it, so it must stay in place). A model
     * that packs each weight as it reads it ({@code new DiT(config, open(file), precision)}) never holds the float
     * copy of the checkpoint whole.
     */
    public static StateDict open(Path file) throws IOException {
        return readHeaderThen(file, (dict, e, in, dataStart) -> dict.putLazy(e.name(), e.shape(), into -> {
            try (FileChannel again = FileChannel.open(file, StandardOpenOption.READ)) {
                readInto(again, dataStart, e, into);
            }
        }));
    }

    /** How {@link #readHeaderThen} adds one header entry to the dict. */
    private interface EntryAdder {
        void add(StateDict dict, SafeTensorsHeader.Entry e, FileChannel in, long dataStart) throws IOException;
    }

    /** Reads and checks the header of {@code file}, then adds each entry with {@code adder}, and the metadata. */
    private static StateDict readHeaderThen(Path file, EntryAdder adder) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long headerBytes = headerBytes(file, in);
            long dataStart = 8 + headerBytes;
            SafeTensorsHeader header = header(file, in, headerBytes);
            StateDict dict = new StateDict();
            for (SafeTensorsHeader.Entry e : header.entries) {
                adder.add(dict, e, in, dataStart);
            }
            dict.metadata().putAll(header.metadata);
            return dict;
        }
    }

    /** The float values of entry {@code e}. */
    private static float[] values(FileChannel in, long dataStart, SafeTensorsHeader.Entry e) throws IOException {
        float[] values = new float[e.numel()];
        readInto(in, dataStart, e, values);
        return values;
    }

    /** Entry {@code e}'s values into {@code into[0 .. numel)}, read a chunk of the file at a time. */
    private static void readInto(FileChannel in, long dataStart, SafeTensorsHeader.Entry e, float[] into)
            throws IOException {
        int size = e.type().bytes;
        int perChunk = Math.max(1, READ_CHUNK_BYTES / size);
        for (int first = 0; first < e.numel(); first += perChunk) {
            int len = Math.min(perChunk, e.numel() - first);
            ByteBuffer bytes = readAt(in, dataStart + e.begin() + (long) first * size, len * size);
            e.type().decode(bytes, 0, into, first, len);
        }
    }

    /**
     * The {@code __metadata__} map of {@code file}, read from its header alone (the tensors are not read; the header
     * is checked as {@link #read} checks it).
     */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(file, in, headerBytes(file, in)).metadata;
        }
    }

    /** The parsed header of {@code file}, open as {@code in}, of {@code headerBytes} bytes. */
    private static SafeTensorsHeader header(Path file, FileChannel in, long headerBytes) throws IOException {
        String json = utf8(file, readAt(in, 8, (int) headerBytes));
        return SafeTensorsHeader.parse(file, json, in.size() - 8 - headerBytes);
    }

    /** The header length that the first 8 bytes of {@code file} give, checked against the file's size. */
    private static long headerBytes(Path file, FileChannel in) throws IOException {
        long size = in.size();
        if (size < 8) {
            throw new WeightsFormatException(file, "only " + size + " bytes, too short for a safetensors file");
        }
        long headerBytes = readAt(in, 0, 8).getLong(0);
        if (headerBytes < 2 || headerBytes > size - 8 || headerBytes > MAX_HEADER_BYTES) {
            throw new WeightsFormatException(file, "header length " + Long.toUnsignedString(headerBytes)
                    + " does not fit a file of " + size + " bytes (limit " + MAX_HEADER_BYTES
                    + "): not a safetensors file, or truncated");
        }
        return headerBytes;
    }

    /** Writes {@code dict} (tensors in its order, plus its metadata) to {@code file} atomically as {@code dtype}. */
    public static void write(Path file, StateDict dict, DType dtype) throws IOException {
        byte[] header = headerJson(dict, dtype).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(out, length);
            writeFully(out, ByteBuffer.wrap(header));
            ByteBuffer chunk = ByteBuffer.allocateDirect(WRITE_CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : dict.tensors().values()) {
                writeTensor(out, t.data(), dtype, chunk);
            }
        });
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes so the data section stays aligned. */
    static String headerJson(StateDict dict, DType dtype) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!dict.metadata().isEmpty()) {
            header.put(SafeTensorsHeader.METADATA_KEY, dict.metadata());
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : dict.tensors().entrySet()) {
            long bytes = (long) e.getValue().numel() * dtype.bytes();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", dtype.name());
            entry.put("shape", e.getValue().shape());
            entry.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), entry);
            offset += bytes;
        }
        String json = Json.compact(header);
        int utf8Length = json.getBytes(StandardCharsets.UTF_8).length;
        return json + " ".repeat((8 - utf8Length % 8) % 8);
    }

    private static void writeTensor(FileChannel out, float[] data, DType dtype, ByteBuffer chunk) throws IOException {
        int perChunk = chunk.capacity() / dtype.bytes();
        for (int start = 0; start < data.length; start += perChunk) {
            int end = Math.min(data.length, start + perChunk);
            chunk.clear();
            for (int i = start; i < end; i++) {
                switch (dtype) {
                    case F32: chunk.putFloat(data[i]); break;
                    case F16: chunk.putShort(HalfFloats.floatToF16(data[i])); break;
                    case BF16: chunk.putShort(HalfFloats.floatToBf16(data[i])); break;
                    default: throw new AssertionError(dtype);
                }
            }
            chunk.flip();
            writeFully(out, chunk);
        }
    }

    private static ByteBuffer readAt(FileChannel in, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static String utf8(Path file, ByteBuffer bytes) throws WeightsFormatException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new WeightsFormatException(file, "header is not valid UTF-8");
        }
    }
}
