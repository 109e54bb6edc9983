package io.ditcache.eval;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a report.csv method label belongs in a {@link ParetoSweep}: its curve ({@code family}) and its operating
 * point on that curve. Learned routers named {@code <family>-u<NN>-s<K>} ({@code router:harmonica-u35-s0}: family
 * {@code harmonica}, point {@code u35}, router seed 0) share a point with every other seed of that family and target
 * usage; other routers are a family of one point named by the whole label. Baselines are grouped by the policy name
 * before the colon ({@code fora:2} on curve {@code fora}), the label being the point; {@code none} is the uncached
 * reference.
 *
 * @param targetUsage target cache usage in percent for routers named by the convention, else -1
 * @param routerSeed  router training seed for routers named by the convention, else -1
 */
public record MethodLabel(String label, String family, String point, boolean learned, int targetUsage, int routerSeed) {
    private static final Pattern ROUTER = Pattern.compile("router:(.+)-u(\\d+)-s(\\d+)");

    /**
     * The label a method spec ({@code --methods} entry) gets in reports and plots: router files by their file name
     * without the directory and extension ({@code router:runs/harmonica-u35-s0.safetensors} is
     * {@code router:harmonica-u35-s0}), everything else as given.
     */
    public static String ofSpec(String spec) {
        if (!spec.startsWith("router:")) {
            return spec;
        }
        String name = java.nio.file.Path.of(spec.substring("router:".length())).getFileName().toString();
        return "router:" + (name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name);
    }

    public static MethodLabel parse(String label) {
        Matcher m = ROUTER.matcher(label);
        if (m.matches()) {
            int usage = Integer.parseInt(m.group(2));
            return new MethodLabel(label, m.group(1), "u" + usage, true, usage, Integer.parseInt(m.group(3)));
        }
        if (label.startsWith("router:")) {
            return new MethodLabel(label, label, label, true, -1, -1);
        }
        int colon = label.indexOf(':');
        return new MethodLabel(label, colon < 0 ? label : label.substring(0, colon), label, false, -1, -1);
    }

    /** Whether this is the uncached sampler, the reference of the sweep. */
    public boolean uncached() {
        return label.equals("none");
    }
}
