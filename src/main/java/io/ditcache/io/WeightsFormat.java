package io.ditcache.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a weights or router file holds, told from its first bytes rather than its name. */
public enum WeightsFormat {
    /** safetensors: an 8-byte little-endian header length, then the JSON header. */
    SAFETENSORS,
    /** {@code torch.save} of PyTorch 1.6 and later: a zip archive around a pickle. */
    TORCH_ZIP,
    /** {@code torch.save} before PyTorch 1.6: a bare pickle (it starts with the protocol opcode 0x80). */
    TORCH_LEGACY,
    /** Anything else, an empty file included. */
    UNKNOWN;

    /** The format of {@code file}, which must exist. */
    public static WeightsFormat of(Path file) throws IOException {
        byte[] head = new byte[9];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        // A header length below 4 GiB (its high bytes zero) followed by '{'; checked first, since the length's low
        // byte may be 0x80 or 'P'.
        if (n == head.length && head[8] == '{' && head[4] == 0 && head[5] == 0 && head[6] == 0 && head[7] == 0) {
            return SAFETENSORS;
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return TORCH_ZIP;
        }
        if (n > 0 && (head[0] & 0xff) == 0x80) {
            return TORCH_LEGACY;
        }
        return UNKNOWN;
    }
}
