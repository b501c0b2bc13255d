package palisade.lab;

/**
 * What a simulated BMC switches: the local cluster plugs in "kill/start this node's process
 * group"; tests use {@link InMemoryPowerSwitch}.
 */
public interface PowerSwitch {

    boolean isOn();

    void setOn(boolean on);
}
