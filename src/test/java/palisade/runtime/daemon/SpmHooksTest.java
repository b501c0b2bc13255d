package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.SpmDuty;

/** The SPM hooks on real processes: started with the role's env on activate, stopped and killed on deactivate. */
class SpmHooksTest {
  @TempDir Path dir;

  private final List<String> events = Collections.synchronizedList(new ArrayList<>());

  private static void await(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  private static String read(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f).trim() : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean alive(String pidText) {
    return !pidText.isEmpty() && ProcessHandle.of(Long.parseLong(pidText)).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void theStartHookRunsWithTheRoleAndItsProcessesEndWithIt() throws Exception {
    Path env = dir.resolve("env");
    Path child = dir.resolve("child.pid");
    Path stopped = dir.resolve("stopped");
    // An SPM service: records its env, leaves a background child behind (same process group), keeps running.
    String start = "echo \"$PALISADE_SPM_TOKEN $PALISADE_NODE $PALISADE_STORAGE\" > " + env + "; sleep 600 & echo $! > "
        + child + "; echo service up; wait";
    String stop = "echo \"stop $PALISADE_SPM_TOKEN $PALISADE_NODE\" > " + stopped;
    SpmHooks hooks = new SpmHooks("node1", new SpmSection(start, stop), Path.of("/srv/storage"),
        (s, m) -> events.add(s + ": " + m));
    try {
      hooks.activate(7);
      assertThat(hooks.activeToken()).isEqualTo(7);
      await("the start hook's env", () -> read(env).equals("7 node1 /srv/storage") && alive(read(child)));
      String childPid = read(child);

      hooks.deactivate();
      // The role is given back only once the hooks are over: until then another node must not be named.
      assertThat(hooks.stopping()).isTrue();
      assertThat(hooks.activeToken()).as("still SPM while its hooks stop").isEqualTo(7);
      await("the stop hook", () -> read(stopped).equals("stop 7 node1"));
      await("the start hook's group killed", () -> !alive(childPid));
      await("the role given back", () -> hooks.activeToken() == 0 && !hooks.stopping());
      assertThat(events).isEmpty();
    } finally {
      hooks.close(10_000);
    }
  }

  @Test
  void aFailingHookIsAnEventAndTheRoleStaysTheAgentsWord() throws Exception {
    SpmHooks hooks = new SpmHooks("node2", new SpmSection("echo broken >&2; exit 3", null), null,
        (s, m) -> events.add(s + ": " + m));
    try {
      hooks.activate(4);
      await("the failure event", () -> events.contains("node2: spm start hook exited 3"));
      assertThat(hooks.activeToken()).isEqualTo(4);
      hooks.deactivate();
      await("the role given back", () -> hooks.activeToken() == 0);
    } finally {
      hooks.close(10_000);
    }
  }

  @Test
  void killNowEndsARunningHookAtOnce() throws Exception {
    Path pid = dir.resolve("pid");
    SpmHooks hooks = new SpmHooks("node1", new SpmSection("echo $$ > " + pid + "; exec sleep 600", null), null,
        (s, m) -> events.add(m));
    try {
      hooks.activate(2);
      await("the hook", () -> alive(read(pid)));
      String p = read(pid);
      hooks.killNow();
      await("the hook killed", () -> !alive(p));
    } finally {
      hooks.close(10_000);
    }
  }

  @Test
  void aStartHookAnEarlierDaemonLeftRunningIsKilledByTheNext() throws Exception {
    Path pid = dir.resolve("pid");
    Path pidFile = dir.resolve("spm-hook.pid");
    SpmHooks first = new SpmHooks("node1", new SpmSection("echo $$ > " + pid + "; exec sleep 600", null), null,
        (s, m) -> events.add(m), pidFile);
    SpmHooks second = null;
    try {
      first.activate(5);
      await("the hook and its pid file", () -> alive(read(pid)) && read(pidFile).startsWith(read(pid) + " "));
      String p = read(pid);
      // The daemon "dies" (SIGKILL) without deactivating or closing: the hook runs on, and a new daemon starts.
      second = new SpmHooks("node1", new SpmSection("true", null), null, (s, m) -> events.add(m), pidFile);
      await("the leftover hook killed", () -> !alive(p));
      assertThat(pidFile).doesNotExist();
    } finally {
      first.close(10_000);
      if (second != null) second.close(10_000);
    }
  }

  @Test
  void withoutHooksTheDutyOnlyRemembersItsToken() {
    DaemonConfig c = DaemonConfig.parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: 127.0.0.1}\n",
        dir);
    SpmDuty duty = SpmHooks.of(c, (s, m) -> events.add(m));
    assertThat(duty).isNotInstanceOf(SpmHooks.class);
    DaemonConfig hooked = DaemonConfig.parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: 127.0.0.1}\n"
        + "spm: {start_command: 'true'}\nstorage: {driver: shared-dir, path: st}\n", dir);
    assertThat(SpmHooks.of(hooked, (s, m) -> events.add(m))).isInstanceOf(SpmHooks.class);
    assertThat(hooked.storage().path()).isEqualTo(dir.resolve("st"));
  }
}
