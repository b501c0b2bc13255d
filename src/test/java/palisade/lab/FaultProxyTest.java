package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {
  private static final int READ_TIMEOUT_MS = 3_000;
  private EchoServer echo;
  private FaultProxy proxy;

  @BeforeEach
  void setUp() throws IOException {
    echo = new EchoServer();
    proxy = new FaultProxy();
  }

  @AfterEach
  void tearDown() throws IOException {
    proxy.close();
    echo.close();
  }

  private Link link(String name) throws IOException {
    return proxy.link(name, new InetSocketAddress("127.0.0.2", 0), echo.address());
  }

  private static Socket connect(Link link) throws IOException {
    Socket s = new Socket();
    s.connect(link.address(), READ_TIMEOUT_MS);
    s.setSoTimeout(READ_TIMEOUT_MS);
    return s;
  }

  /** Reads exactly n bytes, or fewer if the stream ends. */
  private static String read(Socket s, int n) throws IOException {
    byte[] b = s.getInputStream().readNBytes(n);
    return new String(b, StandardCharsets.US_ASCII);
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }

  /** True if the peer closed or reset the connection (end of stream or an I/O error, not a timeout). */
  private static boolean deadWithin(Socket s) throws IOException {
    try {
      InputStream in = s.getInputStream();
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void forwardsBytesBothWays() throws IOException {
    Link link = link("a-b");
    assertThat(link.address().getAddress().getHostAddress()).isEqualTo("127.0.0.2");
    assertThat(link.port()).isPositive();
    try (Socket s = connect(link)) {
      assertThat(read(s, 3)).isEqualTo("hi\n"); // server -> client
      send(s, "ping");
      assertThat(read(s, 4)).isEqualTo("ping"); // client -> server -> client
      byte[] big = new byte[200_000];
      new java.util.Random(1).nextBytes(big);
      s.getOutputStream().write(big);
      assertThat(s.getInputStream().readNBytes(big.length)).isEqualTo(big);
    }
    assertThat(proxy.link("a-b")).containsSame(link);
  }

  @Test
  void cutClosesLiveConnectionsAndRefusesNewOnesUntilHealed() throws IOException {
    Link link = link("a-b");
    try (Socket live = connect(link)) {
      assertThat(read(live, 3)).isEqualTo("hi\n");
      await().until(() -> link.activeConnections() == 1);

      link.cut();
      assertThat(link.isCut()).isTrue();
      assertThat(deadWithin(live)).as("live connection closed by cut").isTrue();
      assertThat(link.activeConnections()).isZero();
    }

    int acceptedBefore = echo.accepted.get();
    try (Socket during = connect(link)) {
      assertThat(deadWithin(during)).as("new connection during cut exchanges nothing").isTrue();
    }
    assertThat(echo.accepted.get()).as("target never reached while cut").isEqualTo(acceptedBefore);

    link.heal();
    try (Socket after = connect(link)) {
      assertThat(read(after, 3)).isEqualTo("hi\n");
      send(after, "back");
      assertThat(read(after, 4)).isEqualTo("back");
    }
  }

  @Test
  void cutAllAndHealAllCoverEveryLink() throws IOException {
    Link ab = link("a-b");
    Link ac = link("a-c");
    proxy.cutAll();
    assertThat(ab.isCut()).isTrue();
    assertThat(ac.isCut()).isTrue();
    try (Socket s = connect(ac)) {
      assertThat(deadWithin(s)).isTrue();
    }
    proxy.healAll();
    try (Socket s = connect(ab)) {
      assertThat(read(s, 3)).isEqualTo("hi\n");
    }
    assertThat(proxy.links()).extracting(Link::name).containsExactly("a-b", "a-c");
  }

  @Test
  void delayAddsLatency() throws IOException {
    Link link = link("slow");
    link.delay(Duration.ofMillis(300));
    try (Socket s = connect(link)) {
      long start = System.nanoTime();
      assertThat(read(s, 3)).isEqualTo("hi\n");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
      link.delay(Duration.ZERO);
      send(s, "x");
      assertThat(read(s, 1)).isEqualTo("x");
    }
  }

  @Test
  void aOneWayDelayHoldsOnlyItsDirection() throws IOException {
    Link link = link("one-way");
    link.delay(Duration.ZERO, Duration.ofMillis(300)); // what the target sends back waits
    try (Socket s = connect(link)) {
      long start = System.nanoTime();
      assertThat(read(s, 3)).isEqualTo("hi\n");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
      link.delay(Duration.ofMillis(300), Duration.ZERO); // now what the dialler sends waits
      start = System.nanoTime();
      send(s, "x");
      assertThat(read(s, 1)).isEqualTo("x");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
      link.delay(Duration.ZERO, Duration.ZERO);
      start = System.nanoTime();
      send(s, "y");
      assertThat(read(s, 1)).isEqualTo("y");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(250));
    }
    assertThatThrownBy(() -> link.delay(Duration.ofMillis(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDeadTargetClosesTheClientAndNamesAreUnique() throws IOException {
    InetSocketAddress dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      dead = new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
    } // closed again: nothing listens there now
    Link link = proxy.link("to-dead", new InetSocketAddress("127.0.0.1", 0), dead);
    try (Socket s = connect(link)) {
      assertThat(deadWithin(s)).isTrue();
    }
    assertThatThrownBy(() -> proxy.link("to-dead", new InetSocketAddress("127.0.0.1", 0), dead))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
  }

  @Test
  void refusesAnythingButLoopbackV4() {
    InetSocketAddress ok = new InetSocketAddress("127.0.0.1", 0);
    assertThatThrownBy(() -> proxy.link("x", new InetSocketAddress("10.0.0.1", 0), echo.address()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listen address")
        .hasMessageContaining("127.0.0.0/8");
    assertThatThrownBy(() -> proxy.link("x", ok, new InetSocketAddress("192.168.1.1", 22)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target address");
    assertThatThrownBy(() -> proxy.link("x", new InetSocketAddress("0.0.0.0", 0), echo.address()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> proxy.link("x", new InetSocketAddress("::1", 0), echo.address()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> proxy.link("x", ok, InetSocketAddress.createUnresolved("localhost", 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
    assertThat(proxy.links()).isEmpty();
  }

  @Test
  void closeStopsListeningAndEndsEveryThread() throws IOException {
    Link link = link("a-b");
    Socket live = connect(link);
    assertThat(read(live, 3)).isEqualTo("hi\n");
    assertThat(proxyThreads()).isPositive();

    proxy.close();

    assertThat(deadWithin(live)).isTrue();
    live.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> proxyThreads() == 0);
    assertThatThrownBy(() -> connect(link)).isInstanceOf(ConnectException.class);
    assertThatThrownBy(() -> link("again")).isInstanceOf(IllegalStateException.class);
  }

  private static long proxyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("fault-proxy-"))
        .count();
  }
}
