package io.ditcache.cli;

import static io.ditcache.cli.CommandLineTest.run;
import static io.ditcache.cli.CommandLineTest.tinyModel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.Cache;
import io.ditcache.Models;
import io.ditcache.Pipeline;
import io.ditcache.cache.Router;
import io.ditcache.cache.RouterImport;
import io.ditcache.cache.RouterMethod;
import io.ditcache.cache.RouterPolicy;
import io.ditcache.cli.CommandLineTest.Result;
import io.ditcache.io.SafeTensors;
import io.ditcache.io.WeightsFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Official L2C/HarmoniCa {@code .pt} routers work wherever a router file does (the format is told from the bytes):
 * the command line's {@code --cache router:FILE.pt} gives the samples the library gives with {@link RouterImport}'s
 * router, bit for bit.
 */
class OfficialRouterTest {
    static final Path HARMONICA = Path.of("src/test/resources/reference/cache/router_harmonica_d2_n4.pt");

    @TempDir
    Path dir;

    @Test
    void aPtRouterSamplesFromTheCommandLineAsRouterImportsRouterDoes() throws Exception {
        Path model = tinyModel(dir); // depth 2: the fixture's 4 units
        Path out = dir.resolve("cached.safetensors");
        Result r = run("sample", "--model", model.toString(), "--steps", "4", "--n", "2", "--cache", "router:" + HARMONICA,
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: " + HARMONICA + ": the router file has no model fingerprint"), r.err());
        Router imported = RouterImport.read(HARMONICA, null, null);
        Pipeline pipe = Pipeline.of(Models.load(model.toString())).steps(4)
                .cache(new RouterPolicy(imported, HARMONICA.toString(), Double.NaN));
        assertArrayEquals(pipe.sample(new int[] {0, 1}, 0).images().data(), SafeTensors.read(out).get("samples").data(), 0f);
        assertTrue(r.out().contains("cache router:" + HARMONICA + ": reused "), r.out());

        RouterPolicy library = Cache.router(HARMONICA);
        assertEquals(RouterMethod.HARMONICA, library.router().method());
        assertArrayEquals(imported.logits(), library.router().logits());
        assertEquals(imported.provenance(), library.router().provenance());
        Result info = run("info", "--router", HARMONICA.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("args.lambda_c = 500"), info.out());
    }

    @Test
    void aFileThatIsNeitherFormatIsRefusedByName() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pt"), "not a router at all");
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Cache.router(junk));
        assertTrue(e.getMessage().startsWith(junk + ": neither a ditcache router file (safetensors) nor an official"
                + " L2C/HarmoniCa router checkpoint"), e.getMessage());
        Path model = tinyModel(dir);
        Result r = run("sample", "--model", model.toString(), "--cache", "router:" + junk, "--out",
                dir.resolve("never.png").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(junk + ": neither a ditcache router file"), r.err());
        assertTrue(Files.notExists(dir.resolve("never.png")));
    }
}
