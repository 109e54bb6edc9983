import sys
def kernel(name, R, V):
    s = f"    static void {name}(float[] ap, int apOff, float[] bp, int bpOff, int kc, float[] tile) {{\n"
    for r in range(R):
        s += "        FloatVector " + ", ".join(f"c{r}{v} = FloatVector.zero(S)" for v in range(V)) + ";\n"
    s += f"        for (int ao = apOff, bo = bpOff, end = apOff + kc * {R}; ao < end; ao += {R}, bo += {V} * L) {{\n"
    for v in range(V):
        s += f"            FloatVector b{v} = FloatVector.fromArray(S, bp, bo + {v} * L);\n"
    s += "            FloatVector x;\n"
    for r in range(R):
        s += f"            x = FloatVector.broadcast(S, ap[ao + {r}]);\n"
        for v in range(V):
            s += f"            c{r}{v} = b{v}.fma(x, c{r}{v});\n"
    s += "        }\n"
    for r in range(R):
        for v in range(V):
            s += f"        c{r}{v}.intoArray(tile, {r * V + v} * L);\n"
    s += "    }\n"
    return s
tiles = [(6,2),(4,3),(5,2),(8,1),(3,4),(12,2)]
src = """package io.ditcache.tensor;
import jdk.incubator.vector.*;
public class KTile {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
"""
for R,V in tiles: src += kernel(f"t{R}x{V}", R, V)
src += """
    interface K { void run(float[] ap, int apOff, float[] bp, int bpOff, int kc, float[] tile); }
    public static void main(String[] args) {
        int R = Integer.parseInt(args[0].split("x")[0]), V = Integer.parseInt(args[0].split("x")[1]);
        K k = switch (args[0]) { """ + "".join(f'case "{R}x{V}" -> KTile::t{R}x{V}; ' for R,V in tiles) + """default -> null; };
        int kc = 256;
        float[] ap = new float[kc * R], bp = new float[kc * V * L], tile = new float[R * V * L];
        for (int i = 0; i < ap.length; i++) ap[i] = (i % 7) * 0.01f;
        for (int i = 0; i < bp.length; i++) bp[i] = (i % 5) * 0.01f;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime(); long calls = 0;
            while (System.nanoTime() - t0 < 1_000_000_000L) { for (int r = 0; r < 1000; r++) k.run(ap, 0, bp, 0, kc, tile); calls += 1000; }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: %.1f GFLOP/s%n", args[0], 2.0 * R * V * L * kc * calls / s / 1e9);
        }
    }
}
"""
open("io/ditcache/tensor/KTile.java","w").write(src)
