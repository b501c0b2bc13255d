package palisade.fencing;

import java.util.List;

/** Helpers to check that no tool a device started outlives the call. */
final class TestProcesses {

    private TestProcesses() {
    }

    /** Command lines of this JVM's live descendants whose command contains the word. */
    static List<String> liveDescendants(String word) {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .map(h -> h.info().commandLine().orElse(h.info().command().orElse("")))
                .filter(c -> c.contains(word))
                .toList();
    }
}
