package io.ditcache.io;

/**
 * Storage formats for writing weights: float32, IEEE half and bfloat16 (BF16 halves a checkpoint at about
 * 3 significant digits; F16 keeps more digits but overflows above 65504).
 */
public enum DType {
    F32(ElementType.F32), F16(ElementType.F16), BF16(ElementType.BF16);

    final ElementType element;

    DType(ElementType element) {
        this.element = element;
    }

    /** Bytes per element. */
    public int bytes() {
        return element.bytes;
    }
}
