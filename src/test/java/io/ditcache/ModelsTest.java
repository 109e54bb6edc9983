package io.ditcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.Tensor;
import io.ditcache.tensor.WeightPrecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsTest {
    private static final DiTConfig SMALL = new DiTConfig("small", 2, 64, 4, 2, 4, 8, 10, true, 4);

    /**
     * A safetensors file loads tensor by tensor (lazy) into packed weights: at fp32 and at bf16 the model has the
     * bits of the file read whole and packed afterwards.
     */
    @Test
    void filesLoadLazilyIntoPackedWeightsOfEitherPrecision(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("small.safetensors");
        SafeTensors.write(file, DiT.random(SMALL, 3).stateDict(), DType.F32);
        Tensor x = Tensor.zeros(2, 4, 8, 8);
        for (int i = 0; i < x.numel(); i++) {
            x.data()[i] = (float) Math.sin(0.3 * i);
        }
        float[] t = {5, 900};
        int[] y = {2, 10};
        assertEquals(2, Models.from(file.toString()).heads(4).config().depth());
        for (WeightPrecision p : WeightPrecision.values()) {
            DiT lazy = Models.from(file.toString()).heads(4).weights(p).load();
            assertEquals(p, lazy.weightPrecision());
            DiT eager = new DiT(lazy.config(), SafeTensors.read(file)).packWeights(p);
            assertArrayEquals(eager.forwardWithCfg(x, t, y, 1.5f, UnitRunner.COMPUTE_ALL).data(),
                    lazy.forwardWithCfg(x, t, y, 1.5f, UnitRunner.COMPUTE_ALL).data(), 0f, p.label());
            assertEquals(eager.weightBytes(), lazy.weightBytes());
        }
        assertTrue(Models.from(file.toString()).heads(4).weights(WeightPrecision.BF16).load().weightBytes()
                < 0.6 * Models.from(file.toString()).heads(4).load().weightBytes());
    }

    /** A file that is gone by the time a lazy tensor is read fails with the I/O error, not garbage. */
    @Test
    void aLazyTensorWhoseFileWentAwayFailsClearly(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gone.safetensors");
        SafeTensors.write(file, DiT.random(SMALL, 4).stateDict(), DType.F32);
        var sd = SafeTensors.open(file);
        Files.delete(file);
        assertEquals(64, sd.shape("x_embedder.proj.weight")[0], "shapes come from the header read at open");
        assertThrows(java.io.UncheckedIOException.class, () -> sd.get("x_embedder.proj.weight"));
    }

    @Test
    void precisionMustBeGiven() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Models.from("default").weights(null));
        assertTrue(e.getMessage().contains("fp32 or bf16"), e.getMessage());
    }
}
