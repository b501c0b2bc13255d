package palisade.runtime.resource;

/** A resource driver could not do what was asked; the message names the resource. */
public class ResourceException extends Exception {
  public ResourceException(String message) {
    super(message);
  }

  public ResourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
