package io.ditcache.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static StateDict sample() {
        Random r = new Random(3);
        StateDict d = new StateDict();
        for (int[] shape : new int[][] {{3, 4}, {7}, {2, 1, 3}, {}, {0, 5}}) {
            float[] v = new float[(int) Tensor.numel(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
            }
            d.put("blocks.0.t" + d.size() + ".weight", Tensor.of(v, shape));
        }
        d.metadata().put("method", "harmonica");
        d.metadata().put("note", "quotes \" and \\ and é");
        return d;
    }

    @Test
    void readsHandWrittenReferenceFile() throws IOException {
        StateDict d = SafeTensors.read(Fixtures.path("reference.safetensors"));
        Map<String, Tensor> expected = Fixtures.expectedTensors(Fixtures.json("reference_safetensors.json"));
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(d.keys()));
        expected.forEach((name, t) -> Fixtures.assertSameTensor(name, t, d.get(name)));
        assertEquals(Map.of("format", "pt", "note", "quote \" backslash \\ unicode \u00e9"), d.metadata());
    }

    @Test
    void roundTripsInEachDType() throws IOException {
        StateDict in = sample();
        for (DType dtype : DType.values()) {
            Path file = dir.resolve("w-" + dtype + ".safetensors");
            SafeTensors.write(file, in, dtype);
            StateDict out = SafeTensors.read(file);
            assertEquals(List.copyOf(in.keys()), List.copyOf(out.keys()));
            assertEquals(in.metadata(), out.metadata());
            for (String name : in.keys()) {
                float[] want = in.get(name).data().clone();
                for (int i = 0; i < want.length; i++) {
                    if (dtype == DType.F16) {
                        want[i] = HalfFloats.f16ToFloat(HalfFloats.floatToF16(want[i]));
                    } else if (dtype == DType.BF16) {
                        want[i] = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(want[i]));
                    }
                }
                assertArrayEquals(in.get(name).shape(), out.get(name).shape(), name);
                assertArrayEquals(want, out.get(name).data(), 0f, dtype + " " + name);
            }
            long dataBytes = in.parameterCount() * dtype.bytes();
            long headerBytes = header(file).getLong(0);
            assertEquals(0, headerBytes % 8, "header padded to 8 bytes");
            assertEquals(8 + headerBytes + dataBytes, Files.size(file));
        }
    }

    @Test
    void halfPrecisionLosesWhatItShould() throws IOException {
        StateDict in = new StateDict().put("x", Tensor.of(new float[] {1f + 0x1p-12f, 70000f, 1e-9f}, 3));
        SafeTensors.write(dir.resolve("h.safetensors"), in, DType.F16);
        float[] h = SafeTensors.read(dir.resolve("h.safetensors")).get("x").data();
        assertArrayEquals(new float[] {1f, Float.POSITIVE_INFINITY, 0f}, h, 0f);
        SafeTensors.write(dir.resolve("b.safetensors"), in, DType.BF16);
        float[] b = SafeTensors.read(dir.resolve("b.safetensors")).get("x").data();
        assertArrayEquals(new float[] {1f, 70144f, 9.968062e-10f}, b, 0f); // values from torch .bfloat16()
    }

    @Test
    void writeIsAtomicAndOverwrites() throws IOException {
        Path file = dir.resolve("sub/w.safetensors");
        SafeTensors.write(file, sample(), DType.F32);
        StateDict small = new StateDict().put("only", Tensor.of(new float[] {42f}, 1));
        SafeTensors.write(file, small, DType.F32);
        assertEquals(List.of("only"), List.copyOf(SafeTensors.read(file).keys()));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary files left behind");
        }
    }

    @Test
    void truncatedFileNamesTensorAndSuspectsTruncation() throws IOException {
        Path file = dir.resolve("weights.safetensors");
        SafeTensors.write(file, sample(), DType.F32);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 10));
        String msg = failure(file);
        assertTrue(msg.contains("weights.safetensors: tensor 'blocks.0.t2.weight' has data_offsets ["), msg);
        assertTrue(msg.contains("beyond the file end") && msg.contains("file truncated?"), msg);
        Files.write(file, Arrays.copyOf(all, 40));
        assertTrue(failure(file).contains("header length"), failure(file));
        Files.write(file, Arrays.copyOf(all, 5));
        assertTrue(failure(file).contains("too short"), failure(file));
    }

    @Test
    void rejectsBadHeaders() throws IOException {
        String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
        assertRejected("{\"a\":{" + ok + "}}", 8, null); // control: this one is fine
        assertRejected("{\"a\":{\"dtype\":\"F8\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unknown dtype F8");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
                "tensor 'a' has shape [3] of F32 = 12 bytes but data_offsets [0, 8] span 8 bytes");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "non-negative");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "ending before");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, "'data_offsets'");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "'data_offsets'");
        assertRejected("{\"a\":{" + ok + "},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                "tensors 'a' [0, 8] and 'b' [4, 8] overlap");
        assertRejected("{\"a\":{" + ok + "},\"a\":{" + ok + "}}", 8, "duplicate key 'a'");
        assertRejected("{\"a\":{" + ok + "}", 8, "not valid JSON");
        assertRejected("[1]", 0, "not a JSON object");
        assertRejected("{\"__metadata__\":{\"k\":1}}", 0, "metadata 'k' is not a string");
        assertRejected("{\"a\":{" + ok + "}}", 4, "beyond the file end");
    }

    @Test
    void rejectsHugeHeaderLengthAndMissingFile() throws IOException {
        Path file = dir.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(0, SafeTensors.MAX_HEADER_BYTES + 1);
        Files.write(file, b.array());
        assertTrue(failure(file).contains("huge.safetensors: header length 104857601"), failure(file));
        b.putLong(0, -5);
        Files.write(file, b.array());
        assertTrue(failure(file).contains("header length 18446744073709551611"), failure(file));
        assertThrows(NoSuchFileException.class, () -> SafeTensors.read(dir.resolve("missing.safetensors")));
    }

    @Test
    void deeplyNestedHeaderIsAFormatErrorNotAStackOverflow() throws IOException {
        // 5,000 levels (10 KB) used to overflow the recursive JSON reader.
        assertRejected("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0,
                "header is not valid JSON (invalid JSON at character " + (4 + Json.MAX_DEPTH) + ": nested deeper than "
                        + Json.MAX_DEPTH + " levels)");
        assertRejected("{\"__metadata__\":" + "{\"k\":".repeat(5000) + "\"v\"" + "}".repeat(5001), 0,
                "nested deeper than " + Json.MAX_DEPTH + " levels");
    }

    @Test
    void hugeOrOverflowingShapesAndOffsetsAreFormatErrors() throws IOException {
        String max = Integer.toString(Integer.MAX_VALUE);
        // The product of these overflows a long (it used to escape as an ArithmeticException).
        assertRejected(tensor("[" + max + "," + max + "," + max + "]", "[0,8]"), 8,
                "tensor 'a' has shape [2147483647, 2147483647, 2147483647], more elements than one Java array holds");
        assertRejected(tensor("[65536,65536]", "[0,8]"), 8, "more elements than one Java array holds");
        assertRejected(tensor("[4294967296]", "[0,8]"), 8, "has a dimension too large: 4294967296");
        assertRejected(tensor("[" + "1,".repeat(64) + "2]", "[0,8]"), 8, "has rank 65");
        // A zero anywhere makes an empty tensor, however large the other dimensions.
        assertRejected(tensor("[" + max + ",0," + max + "]", "[0,0]"), 0, null);
        assertRejected(tensor("[2]", "[0,9223372036854775807]"), 8, "beyond the file end");
        assertRejected(tensor("[2]", "[9223372036854775800,9223372036854775807]"), 8, "beyond the file end");
        assertRejected(tensor("[2]", "[0,18446744073709551616]"), 8, "bad 'data_offsets' value 18446744073709551616");
        assertRejected(tensor("[2]", "[0,8.5]"), 8, "bad 'data_offsets' value 8.5");
        // One tensor of more bytes than one buffer holds: refused from the header alone (no 4 GiB file needed).
        String json = "{\"a\":{\"dtype\":\"F64\",\"shape\":[536870912],\"data_offsets\":[0,4294967296]}}";
        Path file = dir.resolve("big.safetensors");
        String msg = assertThrows(WeightsFormatException.class,
                () -> SafeTensorsHeader.parse(file, json, 1L << 40)).getMessage();
        assertTrue(msg.startsWith(file + ": tensor 'a' has data_offsets [0, 4294967296] spanning 4294967296 bytes"), msg);
    }

    private static String tensor(String shape, String offsets) {
        return "{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    /** Writes a file with the raw {@code header} and {@code dataBytes} zero bytes; expects {@code error} or success. */
    private void assertRejected(String header, int dataBytes, String error) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Files.write(file, b.array());
        if (error == null) {
            assertEquals(1, SafeTensors.read(file).size());
            return;
        }
        String msg = failure(file);
        assertTrue(msg.startsWith(file + ": ") && msg.contains(error), header + " -> " + msg);
    }

    private static String failure(Path file) {
        return assertThrows(WeightsFormatException.class, () -> SafeTensors.read(file)).getMessage();
    }

    private static ByteBuffer header(Path file) throws IOException {
        return ByteBuffer.wrap(Arrays.copyOf(Files.readAllBytes(file), 8)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
