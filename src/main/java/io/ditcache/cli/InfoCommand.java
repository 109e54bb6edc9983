package io.ditcache.cli;

import io.ditcache.model.DiTConfig;
import io.ditcache.model.Macs;
import io.ditcache.model.ParameterLayout;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ditcache info}: a model's configuration, size and compute cost. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print a model's configuration, parameter count and MACs per forward.",
                "MACs count every linear layer and the two attention products per sample; norms, activations and "
                        + "element-wise ops are left out (DiT-XL/2 at 256x256: about 118.6 G, the DiT paper's 'Gflops')."})
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Override
    public Integer call() throws Exception {
        print(model.config(), System.out);
        return 0;
    }

    static void print(DiTConfig c, PrintStream out) {
        out.printf(Locale.ROOT, "model            %s%n", c.name());
        out.printf(Locale.ROOT, "depth            %d blocks (%d cache units: attention + MLP per block)%n", c.depth(), c.units());
        out.printf(Locale.ROOT, "hidden / heads   %d / %d (head dim %d), MLP %d%n", c.hidden(), c.heads(), c.headDim(), c.mlpHidden());
        out.printf(Locale.ROOT, "input            %d x %d x %d, patch %d -> %d tokens%n", c.inChannels(), c.inputSize(), c.inputSize(), c.patch(), c.tokens());
        out.printf(Locale.ROOT, "output channels  %d (%s)%n", c.outChannels(), c.learnSigma() ? "epsilon + learned variance" : "epsilon");
        out.printf(Locale.ROOT, "classes          %d (+1 null class for guidance)%n", c.numClasses());
        long params = ParameterLayout.count(c);
        out.printf(Locale.ROOT, "parameters       %,d (%.1f MB as float32)%n", params, params * 4 / 1e6);
        long macs = Macs.forward(c);
        out.printf(Locale.ROOT, "MACs / forward   %,d (%.2f G) per sample%n", macs, macs / 1e9);
        out.printf(Locale.ROOT, "  per block      attention %.3f G, MLP %.3f G; always run %.3f G%n",
                Macs.unit(c, 0) / 1e9, Macs.unit(c, 1) / 1e9, Macs.alwaysOn(c) / 1e9);
        long cacheBytes = 2L * c.depth() * 2 * c.tokens() * c.hidden() * 4;
        out.printf(Locale.ROOT, "feature cache    at most %.1f MB per sample with CFG (2 x depth x 2 x tokens x hidden x 4 B)%n", cacheBytes / 1e6);
    }
}
