package org.pop3proxy.cli;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** An slf4j logger that writes through {@link Logging}. */
final class CliLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    CliLogger(String name) {
        this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
        return Logging.enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return Logging.enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return Logging.enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return Logging.enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return Logging.enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable failure) {
        Logging.log(level, MessageFormatter.basicArrayFormat(pattern, arguments), failure);
    }
}
