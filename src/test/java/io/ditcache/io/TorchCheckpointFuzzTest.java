package io.ditcache.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Fuzz targets of the torch.save reader: {@link #pickle} puts the input as {@code archive/data.pkl} into an archive
 * with {@value #STORAGES} storages of {@value #STORAGE_BYTES} bytes (so the fixtures' pickles rebuild their tensors),
 * exercising the allow-listed unpickler and the tensor views; {@link #checkpointFile} reads the input as a whole
 * {@code .pt} file (zip structure included). Either way: a parse, or a {@link WeightsFormatException} naming the
 * file. Corpus: {@code TorchCheckpointFuzzTestInputs/}.
 */
class TorchCheckpointFuzzTest {
    static final int STORAGES = 32;
    static final int STORAGE_BYTES = 256;

    @FuzzTest(maxDuration = "60s")
    void pickle(byte[] pickle) {
        FuzzContract.parsedOrRefused(".pt", archive(pickle), TorchCheckpoint::read);
    }

    @FuzzTest(maxDuration = "60s")
    void checkpointFile(byte[] file) {
        FuzzContract.parsedOrRefused(".pt", file, TorchCheckpoint::readStateDict);
    }

    /** A torch.save-like zip (stored, not deflated) of {@code pickle} and the storages '0'..'31' (bytes 0, 1, 2...). */
    static byte[] archive(byte[] pickle) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(pickle.length + STORAGES * (STORAGE_BYTES + 100));
        byte[] storage = new byte[STORAGE_BYTES];
        for (int i = 0; i < storage.length; i++) {
            storage[i] = (byte) i;
        }
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setLevel(Deflater.NO_COMPRESSION);
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            for (int k = 0; k < STORAGES; k++) {
                zip.putNextEntry(new ZipEntry("archive/data/" + k));
                zip.write(storage);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
