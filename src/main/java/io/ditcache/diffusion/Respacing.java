package io.ditcache.diffusion;

/**
 * DiT's timestep respacing ({@code space_timesteps(T, "N")}, one section): which of the T training timesteps a
 * sampler with N steps visits. Spaced index 0 is the least noisy timestep (0) and index N-1 the noisiest (T-1).
 */
public final class Respacing {
    private Respacing() {
    }

    /**
     * The sorted timestep map for {@code n} evenly strided steps out of {@code numTimesteps}.
     * Mimics the Python exactly: {@code stride = (T-1)/(n-1)} in double, {@code cur} accumulated by repeated
     * addition, and Python's {@code round} (half to even, {@link Math#rint}); {@code n = 1} gives {@code [0]}.
     *
     * @throws IllegalArgumentException if {@code n < 1} or {@code n > numTimesteps}
     */
    public static int[] spaceTimesteps(int numTimesteps, int n) {
        if (n < 1 || n > numTimesteps) {
            throw new IllegalArgumentException("cannot space " + numTimesteps + " timesteps into " + n
                    + " sampling steps: the step count must be between 1 and " + numTimesteps);
        }
        double stride = n <= 1 ? 1.0 : (double) (numTimesteps - 1) / (n - 1);
        int[] map = new int[n];
        double cur = 0.0;
        for (int i = 0; i < n; i++) {
            map[i] = (int) Math.rint(cur);
            cur += stride;
        }
        // A stride >= 1 keeps the values strictly increasing, so DiT's set() removes nothing and sorting is a no-op.
        return map;
    }
}
