package io.ditcache.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test fixtures from tools/reference/make_io_fixtures.py (src/test/resources/io). */
final class Fixtures {
    private Fixtures() {
    }

    static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/io/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing fixture io/" + name
                    + ": run /usr/bin/python3 tools/reference/make_io_fixtures.py", e);
        }
    }

    static Object json(String name) throws IOException {
        return Json.parse(Files.readString(path(name), StandardCharsets.UTF_8));
    }

    /** The tensors of a JSON fixture section: {name: {"shape": [...], "values": [...]}}. */
    static Map<String, Tensor> expectedTensors(Object section) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) section).entrySet()) {
            Map<?, ?> spec = (Map<?, ?>) e.getValue();
            List<?> shape = (List<?>) spec.get("shape");
            List<?> values = (List<?>) spec.get("values");
            int[] dims = new int[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = ((Number) shape.get(i)).intValue();
            }
            float[] data = new float[values.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = ((Number) values.get(i)).floatValue();
            }
            out.put((String) e.getKey(), Tensor.of(data, dims));
        }
        return out;
    }

    static void assertSameTensor(String name, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), name + " shape");
        assertArrayEquals(expected.data(), actual.data(), 0f, name + " values");
        assertEquals(expected.numel(), actual.numel());
    }
}
