package io.ditcache.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a router's training has decided anything, measured over the routers the method trains (forced full steps
 * left out):
 * <ul>
 *   <li>{@code undecided}: share of scores sigmoid(θ) strictly inside ({@value #LOW}, {@value #HIGH}); such a unit's
 *       compute/reuse choice depends on where the threshold falls, not on what was learned.</li>
 *   <li>{@code travelMin} / {@code travelMean}: lr × AdamW updates per step's router, the furthest an Adam-normalised
 *       logit can have moved (the clamp range [-5, 5] is 10 wide). The official HarmoniCa recipe allows 0.01 × 2,000
 *       = 20.</li>
 *   <li>{@code initialCorrelation}: per trained step, the Pearson correlation of its logits with their random
 *       initial values (NaN where either is constant); near 1 means the order is still the random one.</li>
 * </ul>
 * {@link #decided()} is this project's bar for a shipped router: at most 20% undecided and travel at least 10.
 */
public record RouterConvergence(double undecided, double travelMin, double travelMean, double[] initialCorrelation) {
    public static final double LOW = 0.05;
    public static final double HIGH = 0.95;
    public static final double MAX_UNDECIDED = 0.20;
    public static final double MIN_TRAVEL = 10.0;

    /** The convergence of {@code router}, trained with learning rate {@code lr} from {@code initial}. */
    public static RouterConvergence of(TrainableRouter router, float[][] initial, double lr) {
        int n = router.steps();
        int undecided = 0;
        int scores = 0;
        double travelMin = Double.POSITIVE_INFINITY;
        double travelSum = 0;
        int trained = 0;
        double[] corr = new double[n];
        for (int s = 0; s < n; s++) {
            if (!router.method().trains(s, n)) {
                corr[s] = Double.NaN;
                continue;
            }
            float[] row = router.row(s);
            for (float l : row) {
                double w = TrainableRouter.sigmoid(l);
                undecided += w > LOW && w < HIGH ? 1 : 0;
                scores++;
            }
            double travel = lr * router.updates(s);
            travelMin = Math.min(travelMin, travel);
            travelSum += travel;
            trained++;
            corr[s] = pearson(row, initial[s]);
        }
        return new RouterConvergence(scores == 0 ? 0 : (double) undecided / scores,
                trained == 0 ? 0 : travelMin, trained == 0 ? 0 : travelSum / trained, corr);
    }

    /** At most {@value #MAX_UNDECIDED} undecided and a travel of at least {@value #MIN_TRAVEL} for every router. */
    public boolean decided() {
        return undecided <= MAX_UNDECIDED && travelMin >= MIN_TRAVEL;
    }

    /** Mean of the defined per-step correlations (NaN if none is defined). */
    public double meanInitialCorrelation() {
        double sum = 0;
        int k = 0;
        for (double c : initialCorrelation) {
            if (!Double.isNaN(c)) {
                sum += c;
                k++;
            }
        }
        return k == 0 ? Double.NaN : sum / k;
    }

    /** One line for the terminal. */
    public String summary() {
        return String.format(Locale.ROOT, "%.1f%% of scores undecided (in (%.2f, %.2f); bar <= %.0f%%), logit travel"
                        + " lr x updates %.1f min / %.1f mean (bar >= %.0f), correlation with the initial logits %.2f",
                100 * undecided, LOW, HIGH, 100 * MAX_UNDECIDED, travelMin, travelMean, MIN_TRAVEL,
                meanInitialCorrelation());
    }

    /** What is wrong, for a warning, or null when {@link #decided()}. */
    public String warning() {
        if (decided()) {
            return null;
        }
        StringBuilder sb = new StringBuilder("the router ended undecided: ");
        if (undecided > MAX_UNDECIDED) {
            sb.append(String.format(Locale.ROOT, "%.0f%% of its scores are between %.2f and %.2f (bar %.0f%%); ",
                    100 * undecided, LOW, HIGH, 100 * MAX_UNDECIDED));
        }
        if (travelMin < MIN_TRAVEL) {
            sb.append(String.format(Locale.ROOT, "a step's router can have moved at most %.1f in logit space (lr x "
                    + "updates; bar %.0f); ", travelMin, MIN_TRAVEL));
        }
        sb.append("train longer (--iters, or --travel with the default --iters) or with a larger --lr");
        return sb.toString();
    }

    /** Router-file metadata ({@code convergence.*}). */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("convergence.undecided", fmt(undecided));
        m.put("convergence.travel_min", fmt(travelMin));
        m.put("convergence.travel_mean", fmt(travelMean));
        m.put("convergence.initial_correlation_mean", fmt(meanInitialCorrelation()));
        StringBuilder per = new StringBuilder();
        for (int s = 0; s < initialCorrelation.length; s++) {
            per.append(s == 0 ? "" : ",").append(Double.isNaN(initialCorrelation[s]) ? "-" : fmt(initialCorrelation[s]));
        }
        m.put("convergence.initial_correlation_per_step", per.toString());
        m.put("convergence.decided", Boolean.toString(decided()));
        return m;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static double pearson(float[] a, float[] b) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = a[i] - ma;
            double db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }
}
