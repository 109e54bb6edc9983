package io.ditcache.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Several {@code ditcache eval} runs (one per sample seed, say, each with routers of several training seeds) grouped
 * into curves and points ({@link MethodLabel}) and aggregated into mean ± sd per point, so that differences between
 * methods can be told from run-to-run noise. A method evaluated in several runs of one sample seed saw the same noise
 * and made the same images: it counts once (the first run's row), so repeats do not shrink its spread.
 *
 * @param runs        the eval runs aggregated (their directories, or any names)
 * @param sampleSeeds distinct sample seeds over the runs (a run of unknown seed counts as one of its own)
 * @param routerSeeds distinct router seeds over all learned points named by the convention
 * @param repeats     the rows left out as repeats, e.g. "none (seed 0) in learned-seed0-u45"
 */
public record ParetoSweep(List<String> runs, int sampleSeeds, int routerSeeds, List<Curve> curves, List<String> repeats) {
    /** One family's points, by increasing mean speedup. */
    public record Curve(String family, boolean learned, List<SweepPoint> points) {
        public Curve {
            points = List.copyOf(points);
        }
    }

    public ParetoSweep {
        runs = List.copyOf(runs);
        curves = List.copyOf(curves);
        repeats = List.copyOf(repeats);
    }

    /** Reads {@code report.csv} of each eval directory; see {@link ReportCsv#read} for the errors. */
    public static ParetoSweep read(List<Path> evalDirs) throws IOException {
        List<EvalRun> runs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path dir : evalDirs) {
            if (!names.add(dir.toString())) {
                throw new IllegalArgumentException(dir + ": given twice (its rows would count as two replicas)");
            }
            runs.add(ReportCsv.read(dir.resolve("report.csv"), dir.toString()));
        }
        return of(runs);
    }

    /** Groups the rows of several runs of unknown sample seed (each its own seed), keyed by run name. */
    public static ParetoSweep of(Map<String, List<MethodResult>> runs) {
        return of(runs.entrySet().stream().map(e -> EvalRun.unseeded(e.getKey(), e.getValue())).toList());
    }

    /** Groups the rows of several runs, in order of first appearance, each method once per sample seed. */
    public static ParetoSweep of(List<EvalRun> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no eval runs to aggregate");
        }
        record Row(String seed, MethodLabel label, MethodResult result) {
        }
        record CurveKey(String family, boolean learned) { // a router family named "fora" is not the fora baseline
        }
        Map<CurveKey, Map<String, List<Row>>> byFamily = new LinkedHashMap<>();
        Set<Integer> routerSeeds = new HashSet<>();
        Set<String> seen = new HashSet<>();
        List<String> repeats = new ArrayList<>();
        for (EvalRun run : runs) {
            for (MethodResult r : run.results()) {
                if (!seen.add(r.method() + "\u0000" + run.seedKey())) {
                    repeats.add(r.method() + " (" + run.seedKey() + ") in " + run.name());
                    continue;
                }
                MethodLabel l = MethodLabel.parse(r.method());
                byFamily.computeIfAbsent(new CurveKey(l.family(), l.learned()), f -> new LinkedHashMap<>())
                        .computeIfAbsent(l.point(), p -> new ArrayList<>()).add(new Row(run.seedKey(), l, r));
                if (l.routerSeed() >= 0) {
                    routerSeeds.add(l.routerSeed());
                }
            }
        }
        List<Curve> curves = new ArrayList<>();
        for (Map.Entry<CurveKey, Map<String, List<Row>>> family : byFamily.entrySet()) {
            CurveKey key = family.getKey();
            List<SweepPoint> points = new ArrayList<>();
            for (Map.Entry<String, List<Row>> point : family.getValue().entrySet()) {
                List<Row> rows = point.getValue();
                MethodLabel first = rows.get(0).label();
                Map<SweepMetric, MeanSd> stats = new EnumMap<>(SweepMetric.class);
                for (SweepMetric m : SweepMetric.values()) {
                    stats.put(m, MeanSd.of(rows.stream().mapToDouble(row -> m.of(row.result())).toArray()));
                }
                int sampleSeeds = (int) rows.stream().map(Row::seed).distinct().count();
                int seeds = (int) rows.stream().mapToInt(row -> row.label().routerSeed()).filter(s -> s >= 0)
                        .distinct().count();
                points.add(new SweepPoint(key.family(), point.getKey(), key.learned(), first.targetUsage(),
                        rows.size(), sampleSeeds, seeds, stats));
            }
            points.sort(Comparator.comparingDouble(p -> p.mean(SweepMetric.SPEEDUP)));
            curves.add(new Curve(key.family(), key.learned(), points));
        }
        return new ParetoSweep(runs.stream().map(EvalRun::name).toList(),
                (int) runs.stream().map(EvalRun::seedKey).distinct().count(), routerSeeds.size(), curves, repeats);
    }

    /** The curve of a baseline family ({@code fora}, {@code fewer}, ...), if the runs have one. */
    public Optional<Curve> baseline(String family) {
        return curves.stream().filter(c -> !c.learned() && c.family().equals(family)).findFirst();
    }

    /** The uncached {@code none} point, the reference of the product bar, if the runs have one. */
    public Optional<SweepPoint> uncached() {
        return points().stream().filter(SweepPoint::uncached).findFirst();
    }

    /** All points, curve by curve. */
    public List<SweepPoint> points() {
        return curves.stream().flatMap(c -> c.points().stream()).toList();
    }
}
