package org.pop3proxy.cli;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The command line's slf4j backend: every logger writes to syslog, or to stderr with {@code -d}.
 * Found by slf4j through {@code META-INF/services}; only the CLI ships it.
 */
public final class CliServiceProvider implements SLF4JServiceProvider {
    private ILoggerFactory loggers;
    private IMarkerFactory markers;
    private MDCAdapter mdc;

    /** Creates the provider; slf4j calls {@link #initialize()} before using it. */
    public CliServiceProvider() {
        // ServiceLoader needs a public no-argument constructor.
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        Map<String, Logger> byName = new ConcurrentHashMap<>();
        loggers = name -> byName.computeIfAbsent(name, CliLogger::new);
        markers = new BasicMarkerFactory();
        mdc = new BasicMDCAdapter();
    }
}
