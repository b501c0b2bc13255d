package palisade.core;

/** Bad configuration or input: the message names the key or the parameters and what is wrong. */
public class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
