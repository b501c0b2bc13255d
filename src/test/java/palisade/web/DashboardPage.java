package palisade.web;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in Debian's headless Chromium, driven by Selenium through /usr/bin/chromedriver. The browser
 * reaches loopback only: every host resolves to nothing but 127.* (the lab's 127.0.1.i) and
 * its background networking is off. It accepts the HTTPS certificates of the given nodes by their public keys
 * (pinned, as an operator who checked the fingerprint would), and no other certificate. {@link #close} quits the driver, which stops the chromedriver process it
 * started and its browser.
 */
final class DashboardPage implements AutoCloseable {
  static final Path SHOTS = Path.of("target", "screenshots");
  static final Duration WAIT = Duration.ofSeconds(60);
  private final ChromeDriverService service;
  private final ChromeDriver driver;

  DashboardPage(java.util.List<java.security.cert.X509Certificate> nodes) {
    service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingAnyFreePort().build();
    ChromeOptions o = new ChromeOptions();
    o.setBinary("/usr/bin/chromium");
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1400,1300", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-default-apps", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.*",
        "--ignore-certificate-errors-spki-list=" + String.join(",", nodes.stream().map(DashboardPage::spkiPin).toList()));
    driver = new ChromeDriver(service, o);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
  }

  /** Chromium's pin of a certificate: base64 of the SHA-256 of its SubjectPublicKeyInfo. */
  static String spkiPin(java.security.cert.X509Certificate c) {
    try {
      return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
          .digest(c.getPublicKey().getEncoded()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Opens the page and signs in with the token (typed once; the page keeps it in sessionStorage). */
  void open(String baseUrl, String token) {
    driver.get(baseUrl + "/");
    await().atMost(WAIT).ignoreExceptions().until(() -> driver.findElement(By.id("token")).isDisplayed());
    driver.findElement(By.id("token")).sendKeys(token);
    driver.findElement(By.id("login-btn")).click();
    await().atMost(WAIT).ignoreExceptions().until(() -> "true".equals(driver.findElement(By.tagName("body"))
        .getAttribute("data-loaded")));
  }

  /** Reloads the page: the token survives in the tab's sessionStorage. */
  void reload() {
    driver.navigate().refresh();
  }

  String sessionToken() {
    return (String) driver.executeScript("return sessionStorage.getItem('palisade.token')");
  }

  String url() {
    return driver.getCurrentUrl();
  }

  List<String> nodeNames() {
    return driver.findElements(By.cssSelector("#nodes tr.node")).stream().map(e -> e.getAttribute("data-node"))
        .toList();
  }

  String nodeState(String node) {
    return driver.findElement(By.cssSelector("#nodes tr.node[data-node='" + node + "'] td.state")).getText();
  }

  String text(String css) {
    return driver.findElement(By.cssSelector(css)).getText();
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Clicks a button; the tables are redrawn every 2 s, so a button gone stale is looked up again. */
  void click(String css) {
    await().atMost(WAIT).ignoreExceptions().until(() -> {
      driver.findElement(By.cssSelector(css)).click();
      return true;
    });
  }

  /** Runs a script in the page (its top-level functions are globals) and returns what it returns. */
  Object script(String js, Object... args) {
    return driver.executeScript(js, args);
  }

  /** Types text into a field. */
  void type(String css, String text) {
    driver.findElement(By.cssSelector(css)).sendKeys(text);
  }

  boolean enabled(String css) {
    return driver.findElement(By.cssSelector(css)).isEnabled();
  }

  Path screenshot(String name) throws Exception {
    Files.createDirectories(SHOTS);
    Path to = SHOTS.resolve(name + ".png");
    Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), to, StandardCopyOption.REPLACE_EXISTING);
    return to;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
