package io.ditcache.diffusion;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the text fixtures written by {@code tools/reference/diffusion_reference.py}: one record per line,
 * {@code key v1 v2 ...}, {@code #} starts a comment.
 */
final class DiffusionFixture {
    private final String name;
    private final Map<String, String[]> records = new HashMap<>();

    private DiffusionFixture(String name) {
        this.name = name;
    }

    static DiffusionFixture load(String resource) {
        DiffusionFixture f = new DiffusionFixture(resource);
        InputStream in = DiffusionFixture.class.getResourceAsStream("/diffusion/" + resource);
        if (in == null) {
            throw new IllegalStateException("missing test resource diffusion/" + resource
                    + "; regenerate with /usr/bin/python3 tools/reference/diffusion_reference.py");
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split("\\s+");
                String[] values = new String[parts.length - 1];
                System.arraycopy(parts, 1, values, 0, values.length);
                f.records.put(parts[0], values);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    boolean has(String key) {
        return records.containsKey(key);
    }

    private String[] raw(String key) {
        String[] v = records.get(key);
        if (v == null) {
            throw new IllegalArgumentException("fixture " + name + " has no record '" + key + "'");
        }
        return v;
    }

    int[] ints(String key) {
        String[] v = raw(key);
        int[] out = new int[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = Integer.parseInt(v[k]);
        }
        return out;
    }

    float[] floats(String key) {
        String[] v = raw(key);
        float[] out = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = Float.parseFloat(v[k]);
        }
        return out;
    }

    double[] doubles(String key) {
        String[] v = raw(key);
        double[] out = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = Double.parseDouble(v[k]);
        }
        return out;
    }
}
