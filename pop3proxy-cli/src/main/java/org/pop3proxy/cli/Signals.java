package org.pop3proxy.cli;

import sun.misc.Signal;

/** Runs an action on SIGTERM and SIGINT instead of letting the JVM exit with 143 or 130. */
final class Signals {
    private Signals() {}

    /** Makes SIGTERM and SIGINT run {@code action}; a shutdown hook runs it where signals cannot be caught. */
    static void onStop(Runnable action) {
        try {
            Signal.handle(new Signal("TERM"), s -> action.run());
            Signal.handle(new Signal("INT"), s -> action.run());
        } catch (IllegalArgumentException | LinkageError e) {
            Runtime.getRuntime().addShutdownHook(new Thread(action, "pop3proxy-stop"));
        }
    }
}
