package io.ditcache.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Parses the fixtures tools/reference/eval_reference.py writes: lines "name dims values...". */
final class ReferenceFixture {
    record Entry(int[] dims, double[] values) {
        float[] floats() {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return f;
        }

        double[][] matrix() {
            double[][] m = new double[dims[0]][dims[1]];
            for (int i = 0; i < dims[0]; i++) {
                System.arraycopy(values, i * dims[1], m[i], 0, dims[1]);
            }
            return m;
        }

        float[][] floatRows() {
            float[][] m = new float[dims[0]][dims[1]];
            for (int i = 0; i < dims[0]; i++) {
                for (int j = 0; j < dims[1]; j++) {
                    m[i][j] = (float) values[i * dims[1] + j];
                }
            }
            return m;
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();

    ReferenceFixture(String resource) throws IOException {
        try (InputStream in = ReferenceFixture.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource + " (run tools/reference/eval_reference.py)");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                String[] d = parts[1].split(",");
                int[] dims = new int[d.length];
                for (int i = 0; i < d.length; i++) {
                    dims[i] = Integer.parseInt(d[i]);
                }
                double[] values = new double[parts.length - 2];
                for (int i = 0; i < values.length; i++) {
                    values[i] = Double.parseDouble(parts[i + 2]);
                }
                entries.put(parts[0], new Entry(dims, values));
            }
        }
    }

    Entry get(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("fixture has no entry " + name);
        }
        return e;
    }
}
