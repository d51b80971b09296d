package org.pop3proxy.engine;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.pop3proxy.api.ClientInfo;

/** One client session, start to end. (Being written.) */
final class Session {
    Session(ProxyConfig config, ClientInfo client, InputStream in, OutputStream out, Socket socket) {
    }

    SessionOutcome run() {
        throw new UnsupportedOperationException("not yet");
    }
}
