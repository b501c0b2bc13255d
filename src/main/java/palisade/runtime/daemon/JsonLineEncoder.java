package palisade.runtime.daemon;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code log.format: json}: one JSON object a line, {@code {"time": UTC ISO-8601, "level", "logger", "thread",
 * "message"}} and {@code "exception"} when there is one (its stack trace as text). Logback's own JsonEncoder writes
 * epoch milliseconds and its context; this is the shape a log shipper reads without configuration.
 */
final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final java.time.format.DateTimeFormatter UTC = java.time.format.DateTimeFormatter.ofPattern(
      "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", UTC.format(Instant.ofEpochMilli(event.getTimeStamp())));
    m.put("level", event.getLevel().toString());
    m.put("logger", event.getLoggerName());
    m.put("thread", event.getThreadName());
    m.put("message", event.getFormattedMessage());
    IThrowableProxy t = event.getThrowableProxy();
    if (t != null) m.put("exception", ThrowableProxyUtil.asString(t));
    try {
      byte[] line = JSON.writeValueAsBytes(m);
      byte[] out = new byte[line.length + 1];
      System.arraycopy(line, 0, out, 0, line.length);
      out[line.length] = '\n';
      return out;
    } catch (JsonProcessingException e) {
      // strings only: cannot fail; if it did, a line that says so beats a lost line
      return ("{\"level\":\"ERROR\",\"message\":\"log line not encodable\"}\n").getBytes(StandardCharsets.UTF_8);
    }
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
