package palisade.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `palisade resource import FILE` and `resource export [FILE]`: many resources at once, in one file format. */
final class ResourceTransfer {
  /** How many problems a refused import lists (then "and N more"). */
  static final int PROBLEMS_SHOWN_MAX = 20;
  /** A batch is one store transaction: 2,000 new resources stay under the store's 500 KB transaction bound. */
  static final int BATCH_MAX = 2_000;

  private ResourceTransfer() {}

  @Command(name = "import", description = {"Add resources from a YAML or JSON file: a list of entries with the "
      + "fields of resource add (id, type, node, group, state, priority, max_restart, max_relocate, disks, "
      + "options), as resource export writes them.",
      "Every entry is checked first, against the file and the cluster: any problem lists each (FILE:LINE, the "
      + "field), exits 2 and writes nothing. Then the resources are written in batches, each one compare-and-set "
      + "of the configuration and one audit event. An entry the cluster already has as given is skipped, so an "
      + "import runs again as a no-op; a different one is refused unless --replace."})
  static final class Import implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "the resources: YAML, or JSON (by the extension "
        + ".json, or a text starting with [)")
    Path file;

    @Option(names = "--batch", defaultValue = "500", paramLabel = "N", description = "resources per write "
        + "(default ${DEFAULT-VALUE}, at most " + BATCH_MAX + ")")
    int batch;

    @Option(names = "--dry-run", description = "check the file against the cluster and say what would be written; "
        + "write nothing")
    boolean dryRun;

    @Option(names = "--replace", description = "overwrite a resource the cluster has with another configuration")
    boolean replace;

    @Override
    public Integer call() throws Exception {
      if (batch < 1 || batch > BATCH_MAX) throw new CliError("--batch: " + batch + " is not 1.." + BATCH_MAX);
      ResourceFile.Parsed parsed = ResourceFile.read(file, ResourceFile.text(file));
      try (Admin admin = store.admin()) {
        ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
        if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
        ImportPlan plan = ImportPlan.of(parsed, cfg, replace);
        refuseProblems(plan.problems());
        System.out.println(file + ": " + (plan.toWrite().size() - plan.replaced()) + " to add, " + plan.replaced()
            + " to replace, " + plan.identical() + " already there as given");
        if (dryRun) {
          System.out.println("dry run: nothing was written");
          return 0;
        }
        write(admin, plan.toWrite());
      }
      return 0;
    }

    /** Each problem on stderr as FILE:LINE: ..., at most PROBLEMS_SHOWN_MAX of them; then exit 2. */
    private void refuseProblems(List<ResourceFile.Problem> problems) {
      if (problems.isEmpty()) return;
      List<ResourceFile.Problem> sorted = problems.stream()
          .sorted(java.util.Comparator.comparingInt(ResourceFile.Problem::line)).toList();
      for (ResourceFile.Problem p : sorted.subList(0, Math.min(sorted.size(), PROBLEMS_SHOWN_MAX))) {
        System.err.println(file + ":" + p.line() + ": " + p.message());
      }
      if (sorted.size() > PROBLEMS_SHOWN_MAX) {
        System.err.println("... and " + (sorted.size() - PROBLEMS_SHOWN_MAX) + " more");
      }
      throw new CliError(file + ": " + sorted.size() + " problem" + (sorted.size() == 1 ? "" : "s")
          + "; nothing was imported");
    }

    /** The batches in file order; a failure says what was written and from where to go on. */
    private void write(Admin admin, List<ImportPlan.Item> items) throws Exception {
      int written = 0;
      for (int from = 0; from < items.size(); from += batch) {
        List<ImportPlan.Item> b = items.subList(from, Math.min(items.size(), from + batch));
        try {
          admin.update(StorePaths.CONFIG, ClusterConfig.class, cur -> ImportPlan.merged(cur, b, replace));
        } catch (org.apache.zookeeper.KeeperException.NoAuthException e) {
          if (written == 0) throw e; // a viewer: the command line's usual refusal
          throw failed(e, written, items, b.get(0));
        } catch (Exception e) {
          throw failed(e, written, items, b.get(0));
        }
        written += b.size();
        System.out.println("written " + written + "/" + items.size() + " (" + b.get(0).config().id() + " .. "
            + b.get(b.size() - 1).config().id() + ")");
      }
      System.out.println(file + ": imported " + items.size() + " resource" + (items.size() == 1 ? "" : "s"));
    }

    /** What was written and what not, and how to go on (exit 1). */
    private CliError failed(Exception e, int written, List<ImportPlan.Item> items, ImportPlan.Item next) {
      return new CliError(file + ": writing failed (" + (e.getMessage() == null ? e.toString() : e.getMessage())
          + "): " + written + " of " + items.size() + " written" + (written == 0 ? "" : ", up to "
          + items.get(written - 1).config().id()) + "; not written: " + (items.size() - written) + " from "
          + next.config().id() + " (line " + next.entry().line() + "). Importing the file again skips what was "
          + "written", 1);
    }
  }

  @Command(name = "export", description = {"Print every resource's configuration in the format resource import "
      + "reads (sorted by id; option values included: the export is as sensitive as the configuration).",
      "With FILE: written there, 0600, through a temporary file; an existing file only with --force."})
  static final class Export implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = {"-o", "--output"}, defaultValue = "yaml", paramLabel = "FORMAT", description = "yaml "
        + "(default) or json")
    String format;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "write to FILE instead of standard output")
    Path file;

    @Option(names = "--force", description = "replace an existing FILE")
    boolean force;

    @Override
    public Integer call() throws Exception {
      String f = format.toLowerCase(Locale.ROOT);
      if (!f.equals("yaml") && !f.equals("json")) {
        throw new CliError("--output: '" + palisade.runtime.store.Operations.shorten(format) + "' is not yaml or "
            + "json");
      }
      if (file != null && Files.exists(file) && !force) {
        throw new CliError(file + " exists: name a new file, or --force to replace it");
      }
      ClusterConfig cfg;
      try (Admin admin = store.admin()) {
        cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
      }
      if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
      String text = ResourceFile.write(cfg.resources().values(), f.equals("json"));
      if (file == null) {
        System.out.print(text);
        System.out.flush();
        return 0;
      }
      writePrivate(file, text);
      System.out.println("exported " + cfg.resources().size() + " resources to " + file);
      return 0;
    }

    private void writePrivate(Path target, String text) throws IOException {
      Path dir = target.toAbsolutePath().getParent();
      Path tmp = Files.createTempFile(dir, ".palisade-export", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(tmp, text);
        if (force) {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else if (Files.exists(target)) {
          throw new FileAlreadyExistsException(target + " exists: name a new file, or --force to replace it");
        } else {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
