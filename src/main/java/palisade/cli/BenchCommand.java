package palisade.cli;

import palisade.bench.Benchmarks;
import palisade.bench.FailoverBench;
import palisade.bench.StoreBench;
import picocli.CommandLine.Command;

/** `palisade bench ...`: reproducible measurements for BENCHMARKS.md. */
@Command(name = "bench", description = "Benchmarks", subcommands = {Benchmarks.Sim.class, Benchmarks.Round.class,
    Benchmarks.Failover.class, FailoverBench.class, StoreBench.class, palisade.bench.LabScaleBench.class,
    palisade.bench.ProcessBench.class})
final class BenchCommand {
}
