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
 * methods can be told from run-to-run noise.
 *
 * @param runs        the eval runs aggregated (their directories, or any names)
 * @param routerSeeds distinct router seeds over all learned points named by the convention
 */
public record ParetoSweep(List<String> runs, int routerSeeds, List<Curve> curves) {
    /** One family's points, by increasing mean speedup. */
    public record Curve(String family, boolean learned, List<SweepPoint> points) {
        public Curve {
            points = List.copyOf(points);
        }
    }

    public ParetoSweep {
        runs = List.copyOf(runs);
        curves = List.copyOf(curves);
    }

    /** Reads {@code report.csv} of each eval directory; see {@link ReportCsv#read} for the errors. */
    public static ParetoSweep read(List<Path> evalDirs) throws IOException {
        Map<String, List<MethodResult>> runs = new LinkedHashMap<>();
        for (Path dir : evalDirs) {
            if (runs.put(dir.toString(), ReportCsv.read(dir.resolve("report.csv"))) != null) {
                throw new IllegalArgumentException(dir + ": given twice (its rows would count as two replicas)");
            }
        }
        return of(runs);
    }

    /** Groups the rows of several runs, keyed by run name, in order of first appearance. */
    public static ParetoSweep of(Map<String, List<MethodResult>> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no eval runs to aggregate");
        }
        record Row(String run, MethodLabel label, MethodResult result) {
        }
        record CurveKey(String family, boolean learned) { // a router family named "fora" is not the fora baseline
        }
        Map<CurveKey, Map<String, List<Row>>> byFamily = new LinkedHashMap<>();
        Set<Integer> routerSeeds = new HashSet<>();
        for (Map.Entry<String, List<MethodResult>> run : runs.entrySet()) {
            for (MethodResult r : run.getValue()) {
                MethodLabel l = MethodLabel.parse(r.method());
                byFamily.computeIfAbsent(new CurveKey(l.family(), l.learned()), f -> new LinkedHashMap<>())
                        .computeIfAbsent(l.point(), p -> new ArrayList<>()).add(new Row(run.getKey(), l, r));
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
                int sampleSeeds = (int) rows.stream().map(Row::run).distinct().count();
                int seeds = (int) rows.stream().mapToInt(row -> row.label().routerSeed()).filter(s -> s >= 0)
                        .distinct().count();
                points.add(new SweepPoint(key.family(), point.getKey(), key.learned(), first.targetUsage(),
                        rows.size(), sampleSeeds, seeds, stats));
            }
            points.sort(Comparator.comparingDouble(p -> p.mean(SweepMetric.SPEEDUP)));
            curves.add(new Curve(key.family(), key.learned(), points));
        }
        return new ParetoSweep(new ArrayList<>(runs.keySet()), routerSeeds.size(), curves);
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

    /** The number of eval runs (sample seeds). */
    public int sampleSeeds() {
        return runs.size();
    }
}
