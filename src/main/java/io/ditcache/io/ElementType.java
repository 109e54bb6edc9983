package io.ditcache.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Element types found in weight files and how one little-endian element becomes a float.
 * Integer and boolean tensors are read as floats too (exact up to 2^24), which suits the small index and
 * step-count tensors that appear next to weights.
 */
enum ElementType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    /** The type named {@code name} in a safetensors header, or null when unknown. */
    static ElementType forSafetensorsName(String name) {
        for (ElementType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Element {@code index} of {@code buffer} (byte order little-endian), as a float. */
    float get(ByteBuffer buffer, int index) {
        int at = index * bytes;
        switch (this) {
            case F64: return (float) buffer.getDouble(at);
            case F32: return buffer.getFloat(at);
            case F16: return HalfFloats.f16ToFloat(buffer.getShort(at));
            case BF16: return HalfFloats.bf16ToFloat(buffer.getShort(at));
            case I64: return (float) buffer.getLong(at);
            case I32: return (float) buffer.getInt(at);
            case I16: return buffer.getShort(at);
            case I8: return buffer.get(at);
            case U8: return buffer.get(at) & 0xff;
            case BOOL: return buffer.get(at) != 0 ? 1f : 0f;
            default: throw new AssertionError(this);
        }
    }

    /** Decodes {@code out.length} consecutive elements starting at element {@code first}. */
    void decode(ByteBuffer buffer, int first, float[] out) {
        decode(buffer, first, out, 0, out.length);
    }

    /** Decodes {@code len} consecutive elements starting at element {@code first} into {@code out[outOff ..]}. */
    void decode(ByteBuffer buffer, int first, float[] out, int outOff, int len) {
        ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (this == F32) {
            le.position(first * bytes);
            le.asFloatBuffer().get(out, outOff, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            out[outOff + i] = get(le, first + i);
        }
    }
}
