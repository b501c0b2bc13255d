package palisade.fencing;

import java.time.Duration;

/**
 * A power-management device that can fence one node. Calls block the calling worker thread but
 * always return (or throw) within the deadline the caller passes, plus a small slack for cleanup.
 */
public interface FenceDevice {

    /** The configured device name, used in messages and fence history. */
    String name();

    PowerState status(Duration deadline) throws FenceException;

    void off(Duration deadline) throws FenceException;

    void on(Duration deadline) throws FenceException;
}
