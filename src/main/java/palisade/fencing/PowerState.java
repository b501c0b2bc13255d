package palisade.fencing;

/** Power state as reported by a fence device; anything but a confirmed OFF counts as ON. */
public enum PowerState {
    ON,
    OFF
}
