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
  void aBadUriFailsWithAClearMessage() {
    assertThatThrownBy(() -> new LibvirtResourceDriver("test:///no/such/world.xml"))
        .isInstanceOf(ResourceException.class).hasMessageContaining("test:///no/such/world.xml");
  }
}
