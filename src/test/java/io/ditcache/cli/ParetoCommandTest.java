package io.ditcache.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.eval.SweepFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ParetoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aggregatesRunsAndPrintsTheTable() throws Exception {
        List<Path> runs = SweepFixture.writeTwoRuns(tmp);
        Path out = tmp.resolve("pareto");
        CommandLineTest.Result r = CommandLineTest.run("pareto", "--from", runs.get(0).toString(), "--from",
                runs.get(1).toString(), "--out", out.toString(), "--title", "two seeds");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| harmonica | u35 | 4 | 35.0% ± 0.8% |"), r.out());
        for (String f : List.of("report.md", "points.csv", "pareto.png", "pareto-psnr.png")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        assertTrue(Files.readString(out.resolve("report.md")).startsWith("# two seeds\n"));
    }

    @Test
    void aMissingFromDirectoryExitsTwoNamingItAndWritesNothing() throws Exception {
        List<Path> runs = SweepFixture.writeTwoRuns(tmp);
        Path missing = tmp.resolve("seed7");
        Path out = tmp.resolve("pareto");
        CommandLineTest.Result r = CommandLineTest.run("pareto", "--from", runs.get(0).toString(), "--from",
                missing.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(missing.toString()) && r.err().contains("no such directory"), r.err());
        assertFalse(Files.exists(out));

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        r = CommandLineTest.run("pareto", "--from", empty.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(empty.toString()) && r.err().contains("report.csv"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void badReportsAndOutputsAreRefusedBeforeAnyWork() throws Exception {
        List<Path> runs = SweepFixture.writeTwoRuns(tmp);
        Files.writeString(runs.get(1).resolve("report.csv"), "method,speedup\nnone,1\n");
        Path out = tmp.resolve("pareto");
        CommandLineTest.Result r = CommandLineTest.run("pareto", "--from", runs.get(0).toString(), "--from",
                runs.get(1).toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(runs.get(1).resolve("report.csv").toString()), r.err());
        assertFalse(Files.exists(out), "nothing written for a bad input");

        r = CommandLineTest.run("pareto", "--from", runs.get(0).toString(), "--out", runs.get(0).toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--out") && r.err().contains("report.md would be overwritten"), r.err());

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        r = CommandLineTest.run("pareto", "--from", runs.get(0).toString(), "--out", file.resolve("sub").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(file.toString()), r.err());
    }

    @Test
    void helpExplainsTheGroupingAndTheSpread() {
        String usage = Main.commandLine().getSubcommands().get("pareto").getUsageMessage(CommandLine.Help.Ansi.OFF);
        String help = usage.replaceAll("\\s+", " ");
        assertTrue(help.contains("Usage: ditcache pareto") && help.contains("--from=DIR") && help.contains("--out=DIR"), usage);
        assertTrue(help.contains("<family>-u<NN>-s<seed>") && help.contains("target usage 35%,"), usage);
        assertTrue(help.contains("within spread (a tie)") && help.contains("spread = learned sd + sd of the nearer baseline point"),
                usage);
    }
}
