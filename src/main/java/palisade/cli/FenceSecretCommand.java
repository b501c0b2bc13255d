package palisade.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import palisade.core.FenceDeviceDef;
import palisade.runtime.daemon.ClusterDevices;
import palisade.runtime.daemon.DaemonConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade fence device secret NAME`: puts a fence device's secret on this host, where its daemon reads the secrets
 * that /config's devices name ({@link ClusterDevices#secretsDir}): read from stdin (never from the command line),
 * written to a new 0600 file in a 0700 directory and moved into place, so no reader ever sees it half written.
 */
@Command(name = "secret", description = {"Store a fence device secret on this host, read from stdin (e.g. `palisade "
    + "fence device secret bmc4 < file`, or typed and ended with Ctrl-D): secrets/NAME beside this host's store "
    + "credential, mode 0600 (the file `fence device add --secret-file-name NAME` names). Run it on every host."})
final class FenceSecretCommand implements Callable<Integer> {
  /** A secret longer than this is surely the wrong file. */
  static final int SECRET_MAX_BYTES = 64 * 1024;

  @Option(names = "--config", description = "this host's YAML configuration (default: $PALISADE_CONFIG, else "
      + "/etc/palisade/palisade.yaml)")
  Path config;

  @Parameters(index = "0", paramLabel = "NAME", description = "the secret's file name")
  String name;

  /** Where the secret comes from; tests hand in their own. */
  InputStream in = System.in;

  @Override
  public Integer call() throws IOException {
    if (!FenceDeviceDef.NAME.matcher(name).matches()) {
      throw new CliError("NAME: '" + name + "' is not a secret file name (lower-case letters, digits, '-', '_')");
    }
    if (config == null) {
      String env = System.getenv("PALISADE_CONFIG");
      config = env != null && !env.isBlank() ? Path.of(env) : StoreOptions.DEFAULT_CONFIG;
    }
    Path dir = ClusterDevices.secretsDir(DaemonConfig.load(config));
    byte[] data = in.readNBytes(SECRET_MAX_BYTES + 1);
    if (data.length > SECRET_MAX_BYTES) throw new CliError("stdin: more than 64 KiB: not a secret; nothing written");
    String secret = new String(data, StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "");
    if (secret.isEmpty()) throw new CliError("stdin: empty: give the secret on stdin; nothing written");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Path tmp = Files.createTempFile(dir, "." + name, ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(tmp, secret + "\n");
      Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    System.out.println("secret " + name + " stored in " + dir.resolve(name) + " (0600)");
    return 0;
  }
}
