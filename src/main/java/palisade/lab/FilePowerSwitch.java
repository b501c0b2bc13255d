package palisade.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Power state kept in a file holding "1" or "0", like ipmi_sim's chassis_control.sh hook. */
final class FilePowerSwitch implements PowerSwitch {

    private final Path file;

    FilePowerSwitch(Path file) {
        this.file = file;
    }

    @Override
    public synchronized boolean isOn() {
        try {
            // a missing file means a node that was never fenced: on, as the ipmi_sim hook assumes
            return !Files.exists(file) || !Files.readString(file, StandardCharsets.US_ASCII).strip().equals("0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void setOn(boolean on) {
        try {
            // write-then-rename so a reader never sees an empty file
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, on ? "1\n" : "0\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
