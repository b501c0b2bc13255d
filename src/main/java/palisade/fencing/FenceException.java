package palisade.fencing;

/**
 * A fence operation or a fence device definition failed. The message is one line and never
 * contains a password: it is logged and shown in fence history.
 */
public class FenceException extends Exception {

    private static final long serialVersionUID = 1L;

    public FenceException(String message) {
        super(message);
    }

    public FenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
