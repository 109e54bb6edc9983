package io.ditcache.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsFilesTest {
    @TempDir
    Path dir;

    @Test
    void picksReaderByExtension() throws IOException {
        StateDict fromPt = WeightsFiles.load(Fixtures.path("state_dict.pt"));
        for (String ext : new String[] {".pth", ".bin", ".PT"}) {
            Path copy = Files.copy(Fixtures.path("state_dict.pt"), dir.resolve("copy" + ext));
            assertEquals(fromPt.keys(), WeightsFiles.load(copy).keys(), ext);
        }
        Path st = dir.resolve("w.safetensors");
        SafeTensors.write(st, fromPt, DType.F32);
        StateDict fromSt = WeightsFiles.load(st);
        for (String name : fromPt.keys()) {
            assertArrayEquals(fromPt.get(name).data(), fromSt.get(name).data(), 0f, name);
        }
    }

    @Test
    void namesUnsupportedExtensionsAndMissingFiles() throws IOException {
        Path ckpt = Files.write(dir.resolve("model.ckpt"), new byte[8]);
        String msg = assertThrows(WeightsFormatException.class, () -> WeightsFiles.load(ckpt)).getMessage();
        assertTrue(msg.startsWith(ckpt + ": unsupported weights file extension"), msg);
        Path missing = dir.resolve("nope.safetensors");
        msg = assertThrows(NoSuchFileException.class, () -> WeightsFiles.load(missing)).getMessage();
        assertEquals(missing + ": no such weights file", msg);
        assertThrows(NoSuchFileException.class, () -> WeightsFiles.load(dir.resolve("nope.pt")));
    }

    @Test
    void safetensorsContentUnderTorchExtensionIsExplained() throws IOException {
        Path wrong = dir.resolve("w.pt");
        SafeTensors.write(wrong, new StateDict().put("a", Tensor.zeros(2)), DType.F32);
        String msg = assertThrows(WeightsFormatException.class, () -> WeightsFiles.load(wrong)).getMessage();
        assertTrue(msg.contains("no zip header"), msg);
    }
}
