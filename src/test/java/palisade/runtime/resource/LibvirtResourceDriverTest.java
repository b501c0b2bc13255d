package palisade.runtime.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against libvirt's in-memory test driver. Within one process every Connect to test:///default
 * shares the same state (it starts with one running domain named "test"), so tests use unique
 * domain names and leave "test" running. Not skipped when libvirt is missing: the constructor
 * fails with a message that says what to install.
 */
class LibvirtResourceDriverTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String XML = "<domain type='test'><name>%s</name>"
      + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>";
  private static final AtomicInteger unique = new AtomicInteger();
  private LibvirtResourceDriver driver;

  private static String fresh(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() + "-" + unique.incrementAndGet();
  }

  @BeforeEach
  void setUp() throws ResourceException {
    driver = new LibvirtResourceDriver();
  }

  @AfterEach
  void tearDown() throws ResourceException {
    driver.close();
  }

  private static ResourceSpec vm(String id, Map<String, String> options) {
    return new ResourceSpec(id, "vm", options);
  }

  @Test
  void startsAndStopsTheDefaultTestDomain() throws Exception {
    assertThat(driver.uri()).isEqualTo("test:///default");
    ResourceSpec test = vm("test", Map.of());
    driver.start(test, 10, "node-1"); // running from the start, unless another test stopped it
    assertThat(driver.isRunning("test")).isTrue();

    driver.stop("test", TIMEOUT);
    assertThat(driver.isRunning("test")).isFalse();

    driver.start(vm("vm:100", Map.of("domain", "test")), 11, "node-1");
    assertThat(driver.isRunning("vm:100")).isTrue();
    assertThat(driver.running()).containsExactly("vm:100");
    driver.stop("vm:100", TIMEOUT);
    assertThat(driver.isRunning("vm:100")).isFalse();
    assertThat(driver.running()).isEmpty();
    driver.start(test, 12, "node-1"); // leave the shared world as we found it
  }

  @Test
  void definesADomainFromXmlAndRecordsTheToken() throws Exception {
    String name = fresh("pal");
    ResourceSpec spec = vm("vm:101", Map.of("domain", name, "xml", XML.formatted(name)));
    assertThat(driver.isRunning("vm:101")).isFalse();
    driver.start(spec, 42, "node-2");
    assertThat(driver.isRunning("vm:101")).isTrue();
    assertThat(driver.recordedAssignment("vm:101")).contains("token=\"42\"").contains("node=\"node-2\"");

    driver.start(spec, 42, "node-2"); // already running: no-op, not an error
    assertThat(driver.running()).containsExactly("vm:101");

    driver.stop("vm:101", TIMEOUT);
    assertThat(driver.isRunning("vm:101")).isFalse();
    driver.stop("vm:101", TIMEOUT); // stopping a stopped domain is fine

    driver.start(spec, 43, "node-2"); // defined now, so the xml is not needed again
    assertThat(driver.isRunning("vm:101")).isTrue();
    assertThat(driver.recordedAssignment("vm:101")).contains("token=\"43\"");
  }

  @Test
  void killAllDestroysEveryDomainItStarted() throws Exception {
    String a = fresh("a");
    String b = fresh("b");
    boolean testDomainRunning = driver.isRunning("test");
    driver.start(vm(a, Map.of("xml", XML.formatted(a))), 1, "n1");
    driver.start(vm(b, Map.of("xml", XML.formatted(b))), 1, "n1");
    assertThat(driver.running()).containsExactly(a, b);
    driver.killAll();
    assertThat(driver.isRunning(a)).isFalse();
    assertThat(driver.isRunning(b)).isFalse();
    assertThat(driver.running()).isEmpty();
    assertThat(driver.isRunning("test")).as("not ours, untouched").isEqualTo(testDomainRunning);
  }

  @Test
  void refusesAnUnknownDomainWithoutXmlAndAMismatchedName() {
    assertThatThrownBy(() -> driver.start(vm(fresh("ghost"), Map.of()), 1, "n1"))
        .isInstanceOf(ResourceException.class).hasMessageContaining("does not exist");
    String x = fresh("x");
    String y = fresh("y");
    assertThatThrownBy(() -> driver.start(vm(x, Map.of("domain", x, "xml", XML.formatted(y))), 1, "n1"))
        .isInstanceOf(ResourceException.class).hasMessageContaining("expected " + x);
  }

  @Test
  void aClosedDriverIsNeverCalledBackAfterItIsCollected() throws Exception {
    // Every connection to test:///default shares one driver state, which outlives a close while callbacks are
    // registered on it. A closed driver's listener and error callback, once collected, left libvirt calling freed
    // JNA stubs on the next event or error of another connection, which killed the JVM (exit 134).
    for (int i = 0; i < 5; i++) {
      new LibvirtResourceDriver().close();
      System.gc(); // JNA frees a collected callback's native stub from a cleaner thread: give it a moment
      org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(50)).until(() -> true);
      String name = fresh("after-close");
      ResourceSpec spec = vm("vm:104", Map.of("domain", name, "xml", XML.formatted(name)));
      driver.start(spec, 1, "n1"); // events to every registered callback
      driver.stop("vm:104", TIMEOUT);
      assertThatThrownBy(() -> driver.start(vm(fresh("gone"), Map.of()), 1, "n1")) // an error, too
          .isInstanceOf(ResourceException.class).hasMessageContaining("does not exist");
    }
    org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> driver.history().stream()
        .filter(e -> e.contains("after-close") && e.contains("STOPPED")).count() == 5);
  }

  @Test
  void aBadUriFailsWithAClearMessage() {
    assertThatThrownBy(() -> new LibvirtResourceDriver("test:///no/such/world.xml"))
        .isInstanceOf(ResourceException.class).hasMessageContaining("test:///no/such/world.xml");
  }

  @Test
  void aStartRefusesADomainThatCarriesANewerToken() throws Exception {
    String name = fresh("tok");
    ResourceSpec spec = vm("vm:102", Map.of("domain", name, "xml", XML.formatted(name)));
    driver.start(spec, 50, "node-1");
    driver.stop("vm:102", TIMEOUT);
    assertThatThrownBy(() -> driver.start(spec, 49, "node-2")).isInstanceOf(ResourceException.class)
        .hasMessageContaining("carries token 50, newer than this start's 49");
    assertThat(driver.isRunning("vm:102")).isFalse();
    driver.start(spec, 51, "node-2");
    assertThat(driver.recordedAssignment("vm:102")).contains("token=\"51\"").contains("node=\"node-2\"");
    driver.stop("vm:102", TIMEOUT);
  }

  @Test
  void startsAndStopsAreSeenAsLifecycleEvents() throws Exception {
    String name = fresh("ev");
    ResourceSpec spec = vm("vm:103", Map.of("domain", name, "xml", XML.formatted(name)));
    driver.start(spec, 1, "n1");
    org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> driver.history().contains(name + " STARTED BOOTED"));
    driver.stop("vm:103", TIMEOUT);
    org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> driver.history().stream()
        .anyMatch(e -> e.startsWith(name + " STOPPED")));
    assertThat(driver.running()).isEmpty();
  }

  @Test
  void xmlFileDefinesTheDomainAndABadMigrationSaysWhy(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    String name = fresh("file");
    java.nio.file.Path xml = java.nio.file.Files.writeString(dir.resolve("vm.xml"), XML.formatted(name));
    ResourceSpec spec = vm("vm:104", Map.of("domain", name, "xml_file", xml.toString(), "migration", "client"));
    driver.start(spec, 1, "n1");
    assertThat(driver.isRunning("vm:104")).isTrue();
    assertThatThrownBy(() -> driver.migrate(spec, 2, new ResourceDriver.Migration("n2", null, null)))
        .hasMessageContaining("node n2 has no libvirt_uri");
    // The test driver cannot migrate: the failure is reported and the domain still runs here.
    assertThatThrownBy(() -> driver.migrate(spec, 2, new ResourceDriver.Migration("n2", "test:///default", null)))
        .isInstanceOf(ResourceException.class).hasMessageContaining("live migration of " + name + " to n2 failed");
    assertThat(driver.isRunning("vm:104")).isTrue();
    assertThatThrownBy(() -> driver.start(vm("vm:105", Map.of("xml_file", dir.resolve("none.xml").toString())), 1,
        "n1")).hasMessageContaining("option xml_file: cannot read");
    driver.stop("vm:104", TIMEOUT);
  }

  @Test
  void samplesGiveEachRunningDomainsCpuTimeAndMemory() throws Exception {
    String name = fresh("usage");
    driver.start(vm("vm:106", Map.of("domain", name, "xml", XML.formatted(name))), 1, "n1");
    try {
      var samples = driver.samples();
      assertThat(samples).containsKey("vm:106");
      assertThat(samples.get("vm:106").memBytes()).as("64 MiB allotted").isEqualTo(64L << 20);
      assertThat(samples.get("vm:106").cpuNanos()).isNotNegative();
    } finally {
      driver.stop("vm:106", TIMEOUT);
    }
    assertThat(driver.samples()).doesNotContainKey("vm:106");
  }
}
