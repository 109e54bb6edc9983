package io.ditcache.cache;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ditcache.io.DType;
import io.ditcache.io.FuzzContract;
import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzz targets of the router file reader: {@link #read} takes the input as a whole file; {@link #metadata} writes a
 * well-formed safetensors file whose metadata values and logits come from the input (each value the valid one or a
 * fuzzed string), so the router's own checks are reached at every execution. A router that loads must give a plan at
 * its threshold. Corpus: {@code RouterFileFuzzTestInputs/}.
 */
class RouterFileFuzzTest {
    private static final String[][] VALID = {{"format", "ditcache-router"}, {"version", "1"}, {"method", "harmonica"},
        {"sampler", "ddim"}, {"steps", "3"}, {"depth", "2"}, {"cfg", "1.5"}, {"model_fingerprint", ""},
        {"threshold", "0.1"}, {"provenance.seed", "0"}};

    @FuzzTest(maxDuration = "60s")
    void read(byte[] file) {
        FuzzContract.parsedOrRefused(".safetensors", file, f -> RouterFile.load(f).plan(0.5));
    }

    @FuzzTest(maxDuration = "60s")
    void metadata(FuzzedDataProvider data) {
        StateDict sd = new StateDict();
        int rows = data.consumeInt(0, 5);
        int cols = data.consumeInt(0, 9);
        float[] logits = new float[rows * cols];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = data.consumeBoolean() ? data.consumeFloat() : 0.5f * i;
        }
        sd.put(data.consumeBoolean() ? RouterFile.LOGITS : data.consumeString(8), Tensor.of(logits, rows, cols));
        Map<String, String> m = sd.metadata();
        for (String[] kv : VALID) {
            if (data.consumeBoolean()) {
                m.put(kv[0], data.consumeBoolean() ? kv[1] : data.consumeString(12));
            }
        }
        Path file = FuzzContract.scratch(".router.safetensors", new byte[0]);
        try {
            SafeTensors.write(file, sd, DType.F32);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FuzzContract.parsedOrRefused(file, f -> RouterFile.load(f).plan(0.5));
    }
}
