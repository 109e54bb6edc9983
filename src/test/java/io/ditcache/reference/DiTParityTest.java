package io.ditcache.reference;

import static io.ditcache.reference.ReferenceFixtures.assertClose;
import static io.ditcache.reference.ReferenceFixtures.floats;
import static io.ditcache.reference.ReferenceFixtures.golden;
import static io.ditcache.reference.ReferenceFixtures.ints;
import static io.ditcache.reference.ReferenceFixtures.tinyConfig;
import static io.ditcache.reference.ReferenceFixtures.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.model.DiT;
import io.ditcache.model.Embeddings;
import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java DiT against the independent PyTorch reference (tools/reference): the tiny model loaded from the
 * PyTorch checkpoint and from safetensors must reproduce forward and forward_with_cfg, and the fixed embeddings.
 */
class DiTParityTest {

    private static DiT load(String file) throws Exception {
        return new DiT(tinyConfig(), weights(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {ReferenceFixtures.TORCH_WEIGHTS, ReferenceFixtures.SAFETENSORS_WEIGHTS})
    void forwardMatchesPyTorch(String file) throws Exception {
        Tensor out = load(file).forward(golden("x"), floats(golden("t")), ints(golden("y")));
        assertClose("forward from " + file, golden("forward_out"), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {ReferenceFixtures.TORCH_WEIGHTS, ReferenceFixtures.SAFETENSORS_WEIGHTS})
    void forwardWithCfgMatchesPyTorch(String file) throws Exception {
        float scale = golden("cfg_scale").data()[0];
        Tensor out = load(file).forwardWithCfg(golden("cfg_x"), floats(golden("cfg_t")), ints(golden("cfg_y")),
                scale, UnitRunner.COMPUTE_ALL);
        assertClose("forward_with_cfg from " + file, golden("cfg_out"), out);
    }

    @Test
    void bothWeightFilesHoldTheSameTensorsWithDiTKeys() throws Exception {
        StateDict pt = weights(ReferenceFixtures.TORCH_WEIGHTS);
        StateDict st = weights(ReferenceFixtures.SAFETENSORS_WEIGHTS);
        assertEquals(new ArrayList<>(pt.keys()), new ArrayList<>(st.keys()));
        assertEquals(expectedKeys(tinyConfig().depth()), new ArrayList<>(pt.keys()));
        assertEquals(ReferenceFixtures.TINY_PARAMETERS, pt.parameterCount());
        for (String key : pt.keys()) {
            assertArrayEquals(pt.get(key).shape(), st.get(key).shape(), key);
            assertArrayEquals(pt.get(key).data(), st.get(key).data(), key);
        }
        assertArrayEquals(new int[]{tinyConfig().numClasses() + 1, 32}, pt.get("y_embedder.embedding_table.weight").shape(),
                "label table has num_classes + 1 rows (last = null class)");
        assertArrayEquals(new int[]{1, 16, 32}, pt.get("pos_embed").shape());
        assertArrayEquals(golden("pos_embed").data(), pt.get("pos_embed").data(), "pos_embed in the checkpoint");
    }

    /** facebookresearch/DiT's state_dict order: embedders, pos_embed's registration point, blocks, final layer. */
    private static List<String> expectedKeys(int depth) {
        List<String> keys = new ArrayList<>(List.of("pos_embed", "x_embedder.proj.weight", "x_embedder.proj.bias",
                "t_embedder.mlp.0.weight", "t_embedder.mlp.0.bias", "t_embedder.mlp.2.weight", "t_embedder.mlp.2.bias",
                "y_embedder.embedding_table.weight"));
        for (int i = 0; i < depth; i++) {
            for (String p : new String[]{"attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2", "adaLN_modulation.1"}) {
                keys.add("blocks." + i + "." + p + ".weight");
                keys.add("blocks." + i + "." + p + ".bias");
            }
        }
        keys.addAll(List.of("final_layer.linear.weight", "final_layer.linear.bias",
                "final_layer.adaLN_modulation.1.weight", "final_layer.adaLN_modulation.1.bias"));
        return keys;
    }

    @Test
    void stateDictRoundTripsAndReproducesTheForward() throws Exception {
        DiT model = load(ReferenceFixtures.SAFETENSORS_WEIGHTS);
        StateDict sd = model.stateDict();
        StateDict original = weights(ReferenceFixtures.SAFETENSORS_WEIGHTS);
        assertEquals(new TreeSet<>(original.keys()), new TreeSet<>(sd.keys()));
        for (String key : original.keys()) {
            assertArrayEquals(original.get(key).data(), sd.get(key).data(), key);
        }
        Tensor out = new DiT(tinyConfig(), sd).forward(golden("x"), floats(golden("t")), ints(golden("y")));
        assertClose("forward after stateDict round trip", golden("forward_out"), out);
    }

    @Test
    void timestepFrequenciesAreCosFirst() throws Exception {
        float[] t = floats(golden("t_emb_in"));
        float[] freq = Embeddings.timestepFrequencies(t, 256);
        assertClose("timestep frequencies", golden("t_freq").data(), freq);
        assertEquals(1f, freq[0], 0f, "t = 0: cos(0) comes first");
    }

    @Test
    void positionTableIsColumnFirst() throws Exception {
        assertClose("pos_embed hidden 32 grid 4", golden("pos_embed").data(), Embeddings.posEmbed2d(32, 4));
        assertClose("pos_embed hidden 64 grid 4", golden("pos_embed_d64_g4").data(), Embeddings.posEmbed2d(64, 4));
    }

    /** The fixture must exercise every unit: dropping any one attention or MLP output moves the result visibly. */
    @Test
    void everyUnitChangesTheOutput() throws Exception {
        DiT model = load(ReferenceFixtures.SAFETENSORS_WEIGHTS);
        Tensor expected = golden("forward_out");
        double tol = ReferenceFixtures.tolerance(expected.data());
        for (int unit = 0; unit < tinyConfig().units(); unit++) {
            int dropped = unit;
            UnitRunner zeroOne = (u, fresh) -> {
                Tensor f = fresh.get();
                return u == dropped ? Tensor.zeros(f.shape()) : f;
            };
            Tensor out = model.forward(golden("x"), floats(golden("t")), ints(golden("y")), zeroOne);
            double err = ReferenceFixtures.maxAbsDiff(expected.data(), out.data());
            assertTrue(err > 100 * tol, "unit " + unit + " barely matters: " + err);
        }
    }

    @Test
    void guidanceEqualisesChannelsZeroToTwoOnly() throws Exception {
        Tensor cfg = golden("cfg_out");
        int b = cfg.dim(0) / 2;
        Tensor cond = ReferenceFixtures.slice(cfg, 0, b);
        Tensor uncond = ReferenceFixtures.slice(cfg, b, 2 * b);
        int plane = cfg.dim(2) * cfg.dim(3);
        int channels = cfg.dim(1);
        double guidedDiff = 0;
        double restDiff = 0;
        for (int i = 0; i < cond.numel(); i++) {
            double d = Math.abs(cond.data()[i] - uncond.data()[i]);
            if ((i / plane) % channels < tinyConfig().guidedChannels()) {
                guidedDiff = Math.max(guidedDiff, d);
            } else {
                restDiff = Math.max(restDiff, d);
            }
        }
        assertEquals(0.0, guidedDiff, "channels 0..2 are copied into both halves");
        assertTrue(restDiff > 1e-2, "channel 3 and the variance stay per half");
    }
}
