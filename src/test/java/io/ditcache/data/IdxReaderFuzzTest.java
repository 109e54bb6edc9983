package io.ditcache.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ditcache.io.FuzzContract;

/**
 * Fuzz target of the IDX reader (plain or gzipped, images and labels): a parse, or an {@code IOException} naming the
 * file. Corpus: {@code IdxReaderFuzzTestInputs/}.
 */
class IdxReaderFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void read(byte[] file) {
        FuzzContract.parsedOrRefused(".idx", file, IdxReader::readImages);
        FuzzContract.parsedOrRefused(".idx", file, f -> IdxReader.readLabels(f, 10));
    }
}
