package io.ditcache.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.io.SafeTensors;
import io.ditcache.io.TorchCheckpoint;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.net.URL;
import java.nio.file.Path;

/**
 * The PyTorch parity fixtures under {@code src/test/resources/reference/}, made by
 * {@code tools/reference/make_fixtures.py} from an independent reference of DiT (see {@code tools/reference/README.md}
 * for every key): a tiny DiT's weights as {@code tiny_dit.pt} and {@code tiny_dit.safetensors}, and the golden
 * outputs in {@code golden.safetensors} (all float32; labels and timesteps stored as floats).
 */
public final class ReferenceFixtures {
    /** Parity tolerance: max abs error <= REL_TOL * max(1, reference maxAbs). */
    public static final double REL_TOL = 1e-4;

    public static final String TORCH_WEIGHTS = "tiny_dit.pt";
    public static final String SAFETENSORS_WEIGHTS = "tiny_dit.safetensors";
    public static final String GOLDEN = "golden.safetensors";
    /** Float64 schedules (betas, alphas_cumprod, spaced alphas_cumprod/betas) and int32 respacing maps. */
    public static final String SCHEDULE = "schedule.safetensors";

    /** Parameters of the tiny model, pos_embed included (from the reference's analytic count). */
    public static final long TINY_PARAMETERS = 89_504;

    private static StateDict golden;

    private ReferenceFixtures() {
    }

    /** The tiny model the fixtures were made with: depth 4, hidden 32, 4 heads, patch 2, 8x8x4 input, 10 classes. */
    public static DiTConfig tinyConfig() {
        return new DiTConfig("DiT-tiny/2", 4, 32, 4, 2, 4, 8, 10, true, 4);
    }

    /** The path of a fixture on the test classpath. */
    public static Path resource(String name) {
        URL url = ReferenceFixtures.class.getResource("/reference/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource reference/" + name
                    + "; regenerate with /usr/bin/python3 tools/reference/make_fixtures.py");
        }
        try {
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("bad resource URL " + url, e);
        }
    }

    /** The golden outputs (read once). */
    public static synchronized StateDict golden() throws Exception {
        if (golden == null) {
            golden = SafeTensors.read(resource(GOLDEN));
        }
        return golden;
    }

    public static Tensor golden(String key) throws Exception {
        return golden().get(key);
    }

    /** The tiny weights from the named file, read by the matching reader (.pt or .safetensors). */
    public static StateDict weights(String file) throws Exception {
        Path path = resource(file);
        return file.endsWith(".pt") ? TorchCheckpoint.readStateDict(path) : SafeTensors.read(path);
    }

    public static float[] floats(Tensor t) {
        return t.data().clone();
    }

    /** A tensor of whole numbers stored as floats (labels, timesteps, maps) as ints; fails on fractions. */
    public static int[] ints(Tensor t) {
        float[] d = t.data();
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = Math.round(d[i]);
            if (out[i] != d[i]) {
                throw new IllegalArgumentException("element " + i + " of " + t + " is not an integer: " + d[i]);
            }
        }
        return out;
    }

    /** Slice [from, to) of the leading dimension, as a new tensor. */
    public static Tensor slice(Tensor t, int from, int to) {
        int[] shape = t.shape();
        int per = t.numel() / shape[0];
        float[] out = new float[(to - from) * per];
        System.arraycopy(t.data(), from * per, out, 0, out.length);
        shape[0] = to - from;
        return Tensor.of(out, shape);
    }

    /** Largest absolute elementwise difference. */
    public static double maxAbsDiff(float[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs((double) expected[i] - actual[i]));
        }
        return worst;
    }

    public static double tolerance(float[] expected) {
        double max = 0;
        for (float v : expected) {
            max = Math.max(max, Math.abs(v));
        }
        return REL_TOL * Math.max(1.0, max);
    }

    /** Same shape and max abs error within {@link #REL_TOL} * max(1, expected maxAbs). */
    public static void assertClose(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + actual.shapeString()
                + " but the reference has " + expected.shapeString());
        assertClose(what, expected.data(), actual.data());
    }

    public static void assertClose(String what, float[] expected, float[] actual) {
        assertTrue(expected.length == actual.length,
                what + ": " + actual.length + " values but the reference has " + expected.length);
        double err = maxAbsDiff(expected, actual);
        double tol = tolerance(expected);
        assertTrue(err <= tol, what + ": max abs error " + err + " exceeds tolerance " + tol);
    }
}
