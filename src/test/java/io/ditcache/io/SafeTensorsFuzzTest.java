package io.ditcache.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target of the safetensors reader (length prefix, JSON header, tensor entries, data): every file parses or
 * is refused with a {@link WeightsFormatException} naming it. Corpus: {@code SafeTensorsFuzzTestInputs/}.
 */
class SafeTensorsFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void read(byte[] file) {
        FuzzContract.parsedOrRefused(".safetensors", file, SafeTensors::read);
    }
}
