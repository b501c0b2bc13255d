package palisade.lab;

/** A power switch that is just a flag. */
public final class InMemoryPowerSwitch implements PowerSwitch {

    private volatile boolean on;

    public InMemoryPowerSwitch(boolean on) {
        this.on = on;
    }

    @Override
    public boolean isOn() {
        return on;
    }

    @Override
    public void setOn(boolean on) {
        this.on = on;
    }

    @Override
    public String toString() {
        return "InMemoryPowerSwitch[" + (on ? "on" : "off") + "]";
    }
}
