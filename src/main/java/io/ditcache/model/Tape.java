package io.ditcache.model;

/**
 * What a training forward keeps: the seam through which the one {@link DiT} forward hands a backward (the training
 * package's {@code DiTTape}) the activations it needs, stage by stage, in the forward's order. Inference passes no
 * tape and keeps nothing. Every array handed over is the tape's to keep: the forward does not write it again.
 */
public interface Tape {
    /**
     * The forward starts, on checked inputs: x [batch, C_in, H, W] flat and labels y [batch], both as the forward runs
     * them (for a guided forward the CFG batch [x; x] and [y; null]). Neither array may be kept: copy what is needed.
     */
    void begin(float[] x, int batch, int[] y);

    /** The conditioning path: frequencies [B, 256], the timestep MLP's pre-activation and hidden [B, D], c and SiLU(c). */
    void keepConditioning(float[] freq, float[] tPre, float[] tHidden, float[] c, float[] siluC);

    /** Block {@code block}'s six adaLN modulation vectors [B, 6D]. */
    void keepModulation(int block, float[] mod);

    /** Whether to tape unit {@code unit}'s branch (then the branch hands over its intermediates). */
    boolean tapes(int unit);

    /** Whether taped branches also hand over the inputs of their weight gradients ({@link #keepAttention}'s heads). */
    boolean keepsWeightInputs();

    /**
     * A taped attention branch (unit 2i): its residual input x [B*T, D] (a copy), qkv [B*T, 3D] and, with
     * {@link #keepsWeightInputs()}, the concatenated heads [B*T, D] (else null).
     */
    void keepAttention(int unit, float[] x, float[] qkv, float[] heads);

    /** A taped MLP branch (unit 2i+1): its residual input x [B*T, D] (a copy) and fc1's output [B*T, 4D]. */
    void keepMlp(int unit, float[] x, float[] fc1);

    /** Unit {@code unit}'s output [B*T, D] as the gate saw it: the array its {@link UnitRunner} returned. */
    void keepUnit(int unit, float[] u);

    /** The final layer's adaLN output [B, 2D] and its input, the residual stream after the last block [B*T, D]. */
    void keepFinalLayer(float[] mod, float[] input);
}
