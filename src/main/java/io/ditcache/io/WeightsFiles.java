package io.ditcache.io;

import io.ditcache.tensor.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** Loads a state dict from a weights file, choosing the format by its extension; names training checkpoints. */
public final class WeightsFiles {
    private WeightsFiles() {
    }

    /** The resumable training checkpoint of output {@code out}, {@code OUT.ckpt.safetensors}: every trainer's. */
    public static Path checkpointFor(Path out) {
        return out.resolveSibling(out.getFileName() + ".ckpt.safetensors");
    }

    /** {@code .safetensors} via {@link SafeTensors}; {@code .pt}, {@code .pth}, {@code .bin} via {@link TorchCheckpoint}. */
    public static StateDict load(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * As {@link #load}, but a {@code .safetensors} file's tensors are lazy ({@link SafeTensors#open}: read when the
     * model reads them); a PyTorch file is read whole, as by {@link #load}.
     */
    public static StateDict open(Path file) throws IOException {
        return read(file, true);
    }

    private static StateDict read(Path file, boolean lazy) throws IOException {
        if (Files.isDirectory(file)) {
            throw new WeightsFormatException(file, "is a directory, not a weights file (.safetensors, .pt, .pth or .bin)");
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean safetensors = name.endsWith(".safetensors");
        boolean torch = name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin");
        if (!safetensors && !torch) {
            throw new WeightsFormatException(file, "unsupported weights file extension (expected .safetensors, "
                    + ".pt, .pth or .bin)");
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such weights file");
        }
        if (safetensors) {
            return lazy ? SafeTensors.open(file) : SafeTensors.read(file);
        }
        return TorchCheckpoint.readStateDict(file);
    }
}
