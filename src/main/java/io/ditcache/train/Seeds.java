package io.ditcache.train;

import java.util.SplittableRandom;

/**
 * Counter-based random streams: the stream of (seed, purpose, index, sub) depends on nothing else, so an iteration
 * draws the same numbers whether the run went straight through or resumed from a checkpoint, and nothing about the
 * random state needs saving besides the seed.
 */
final class Seeds {
    static final long L2C_BATCH = 0x4c3243L;
    static final long SDT_TRAJECTORY = 0x534454L;

    private Seeds() {
    }

    static SplittableRandom stream(long seed, long purpose, long index, long sub) {
        long h = mix(seed ^ mix(purpose));
        h = mix(h ^ mix(index + 0x632BE59BD9B4E019L));
        h = mix(h ^ mix(sub + 0x9E3779B97F4A7C15L));
        return new SplittableRandom(h);
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
