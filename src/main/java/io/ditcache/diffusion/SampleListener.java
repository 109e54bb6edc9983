package io.ditcache.diffusion;

/** Hears about each finished sampling step, e.g. to drive a progress bar. */
@FunctionalInterface
public interface SampleListener {
    /** A listener that ignores everything. */
    SampleListener NONE = (stepIndex, stepsDone, totalSteps) -> { };

    /**
     * Called after step {@code stepIndex} (spaced index, counting down from N-1 to 0) has been applied.
     *
     * @param stepsDone  how many steps are finished, 1..totalSteps
     * @param totalSteps N
     */
    void onStep(int stepIndex, int stepsDone, int totalSteps);
}
