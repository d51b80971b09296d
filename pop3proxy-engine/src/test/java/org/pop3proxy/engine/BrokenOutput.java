package org.pop3proxy.engine;

import java.io.IOException;
import java.io.OutputStream;

/** A client connection that is gone: every write fails, as after a reset. */
final class BrokenOutput extends OutputStream {
    @Override
    public void write(int b) throws IOException {
        throw new IOException("broken pipe");
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("broken pipe");
    }
}
