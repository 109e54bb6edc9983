package io.ditcache.cli;

import io.ditcache.Pipeline;
import io.ditcache.SamplerSettings;
import io.ditcache.cache.CachePolicy;
import io.ditcache.cache.RouterPolicy;
import io.ditcache.io.WeightsFiles;
import io.ditcache.model.DiT;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks made before any model is loaded or any sample computed. Outputs: that a file the user named can be written,
 * so that an unwritable {@code --out} fails in a second with the user's path and flag rather than after the work
 * with the name of a temporary file. Missing parent directories are fine (the writers create them); what is checked is
 * that the nearest existing ancestor is a directory in which a file can really be created: a probe file is created
 * and deleted there, which also catches read-only mounts and pseudo file systems such as /proc, where permission
 * bits (and root) say yes.
 */
final class Preflight {
    private Preflight() {
    }

    /** {@code file}, the value of {@code flag}, can be written as a regular file. */
    static void outputFile(String flag, Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(flag + " " + file + " is a directory; give a file name");
        }
        checkCanCreateIn(flag, file, file.toAbsolutePath().getParent());
    }

    /** {@code dir}, the value of {@code flag}, is or can become a directory that files can be written to. */
    static void outputDirectory(String flag, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(flag + " " + dir + " exists and is not a directory");
        }
        checkCanCreateIn(flag, dir, dir.toAbsolutePath());
    }

    /**
     * The training checkpoint of {@code out} ({@code OUT.ckpt.safetensors}), checked against {@code --resume} before
     * any work: resuming needs it, a fresh run must not overwrite it.
     */
    static Path checkpoint(Path out, boolean resume) {
        Path ckpt = WeightsFiles.checkpointFor(out);
        if (resume && !Files.isRegularFile(ckpt)) {
            Path older = out.resolveSibling(out.getFileName() + ".ckpt");
            throw new IllegalArgumentException("--resume: no checkpoint " + ckpt + (Files.isRegularFile(older)
                    ? " (" + older + " is a train-classifier checkpoint of an older ditcache: rename it to " + ckpt + ")"
                    : ""));
        }
        if (!resume && Files.exists(ckpt)) {
            throw new IllegalArgumentException(ckpt + " exists: pass --resume to continue it, or delete it to start over");
        }
        return ckpt;
    }

    /**
     * Refuses {@code --threshold} when no policy that {@code what} names (the user's flag and value) is a router: it
     * would be ignored without a word ({@code fbcache:T} takes its own threshold).
     */
    static void thresholdNeedsRouter(Double threshold, List<CachePolicy> policies, String what) {
        if (threshold != null && policies.stream().noneMatch(p -> p instanceof RouterPolicy)) {
            throw new IllegalArgumentException("--threshold " + threshold + " is a router threshold, but " + what
                    + " uses no router: drop --threshold (fbcache:T takes its threshold in the policy)");
        }
    }

    /**
     * {@link CachePolicy#checkFits}, a shipped router that does not fit the model pointed at {@code --model default}
     * (the library names the embedded model, not the flag).
     */
    static void checkFits(CachePolicy policy, DiT model, int steps) {
        try {
            policy.checkFits(model, steps);
        } catch (IllegalArgumentException e) {
            if (policy instanceof RouterPolicy r && r.shipped()) {
                throw new IllegalArgumentException(e.getMessage() + "; pass --model default", e);
            }
            throw e;
        }
    }

    /**
     * Prints the library's warnings about {@code policy} sampled with {@code settings} ({@link Pipeline#warnings}: a
     * router used off the sampler or guidance scale it was trained for, or without a model fingerprint) to stderr,
     * the settings named by their flags. Called before the model is loaded.
     */
    static void warnAbout(CachePolicy policy, SamplerSettings settings) {
        for (String warning : Pipeline.warnings(policy, settings, s -> "--" + s)) {
            System.err.println(warning);
        }
    }

    private static void checkCanCreateIn(String flag, Path target, Path dir) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw new IllegalArgumentException(flag + " " + target + ": no part of its directory " + dir + " exists");
        }
        if (!Files.isDirectory(existing)) {
            throw new IllegalArgumentException(flag + " " + target + ": " + existing + " is not a directory");
        }
        try {
            Path probe = Files.createTempFile(existing, ".ditcache-write-check-", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            // The probe's own name is left out: the user never asked for it.
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "the file system refuses new files there"
                    : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getClass().getSimpleName();
            throw new IllegalArgumentException(flag + " " + target + ": cannot create files in " + existing
                    + " (" + why + ")", e);
        }
    }
}
