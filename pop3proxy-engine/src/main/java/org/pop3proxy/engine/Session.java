package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.pop3proxy.api.AccessDecision;
import org.pop3proxy.api.AccessRequest;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.LoginRecord;
import org.pop3proxy.api.Selection;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.api.UpstreamOptions;
import org.pop3proxy.engine.internal.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One client session, start to end, on one thread: the proxy's greeting, AUTHORIZATION handled
 * here, the login upstream, then TRANSACTION relayed command by command. Every way out goes
 * through {@link #run}, which closes the upstream without a QUIT unless the client sent one.
 */
final class Session {
    private static final Logger LOG = LoggerFactory.getLogger("org.pop3proxy.session");
    private static final Logger WIRE = LoggerFactory.getLogger("org.pop3proxy.wire");
    private static final AtomicLong IDS = new AtomicLong();
    /**
     * How long after the AUTHORIZATION deadline the watchdog cuts a client that trickles: long
     * enough that a client that merely sent nothing is told {@code -ERR timeout} by the read's
     * own deadline first, even when the watchdog's tick comes late on a loaded machine.
     */
    private static final long CUTOFF_MARGIN_NANOS = 1_000_000_000L;

    static final String USER_OK = "+OK password required";
    static final String GIVE_USER_FIRST = "-ERR give USER first";
    static final String LOGIN_FIRST = "-ERR login first";
    static final String BAD_LOGIN = "-ERR bad login";
    static final String UNKNOWN = "-ERR unknown command";
    static final String BAD_ARGUMENTS = "-ERR invalid arguments";
    static final String TOO_LONG = "-ERR line too long";
    static final String BAD_BYTES = "-ERR invalid character in command";
    static final String BYE = "+OK bye";
    static final String TIMEOUT = "-ERR timeout";
    static final String SCAN_FAILED = "-ERR virus scan failed, message not delivered";
    static final String STLS_OK = "+OK Begin TLS negotiation";
    static final String TLS_REQUIRED = "-ERR TLS required, use STLS";
    static final String TLS_ACTIVE = "-ERR TLS already active";
    static final String NO_STLS = "-ERR STLS not available";
    static final String CAPA_OK = "+OK Capability list follows";
    private static final String CAPA_OK_TRACE = CAPA_OK + " ...";
    static final String NO_SCANNER = "-ERR virus scanner not available";
    /**
     * Bounds how long closing a TLS connection waits for the peer's close_notify (the JDK reads
     * for it with the socket's timeout, which may be the whole {@code -t}).
     */
    static final int TLS_CLOSE_WAIT_MILLIS = 1000;

    private final ProxyConfig config;
    private final ClientInfo client;
    private ClientLineReader lines;
    /** Bounds the reads of a plain client socket; null on TLS (SO_TIMEOUT) and on streams. */
    private SocketReadDeadline clientReads;
    private OutputStream out;
    private Socket socket;
    /** The TCP socket under any TLS (closing TLS would wait for the blocked thread); null on streams. */
    private final Socket tcp;
    /** What a deadline closes to end a wait: the TCP socket, or the caller's abort on streams. */
    private final Closeable abort;
    private boolean tls;
    private final String id = Long.toString(IDS.incrementAndGet());

    private Upstream upstream;
    private Socket upstreamSocket;
    /** The TCP socket under {@link #upstreamSocket}, the same one without TLS. */
    private Socket upstreamTcp;
    private LoginRecord login;
    private int unknownCommands;
    private long authorizationDeadline;
    private boolean readTimeoutShortened;
    private final boolean scanning;
    /** Whether the caller has sent the greeting already ({@link ListenOptions#greetingSent()}). */
    private boolean greeted;

    /**
     * Serves a client; {@code tls} says its connection is TLS already (implicit TLS), and
     * {@code tcp} is then the plain socket under {@code socket}.
     */
    Session(ProxyConfig config, ClientInfo client, InputStream in, OutputStream out, Socket socket, boolean tls,
            Socket tcp, Closeable abort) {
        this.tcp = tcp;
        this.abort = abort;
        this.tls = tls;
        this.config = config;
        this.client = client;
        if (socket != null && !tls) {
            clientReads = new SocketReadDeadline(in, socket, config.timeout().toMillis());
            in = clientReads;
        }
        this.lines = new ClientLineReader(in);
        this.out = new WriteDeadline(out, abort, config.timeout().toMillis(), socket != null && !tls);
        this.socket = socket;
        this.scanning = config.virusScanner().enabled();
    }

    /** Notes that the greeting is already on the wire; returns this session. */
    Session greeted(boolean greeted) {
        this.greeted = greeted;
        return this;
    }

    SessionOutcome run() {
        String from = client.clientAddress();
        MDC.put("session", id);
        MDC.put("client", from);
        try {
            if (!config.quiet() && LOG.isInfoEnabled()) {
                LOG.info("connected from {} port {} to {} port {}", from,
                        client.remote().getPort(), client.interfaceAddress(), client.local().getPort());
            }
            if (scanning) {
                try {
                    config.virusScanner().probe();
                } catch (IOException e) {
                    LOG.error("virus scanner not available, refusing the client: {}", e.getMessage());
                    if (greeted) {
                        reply(NO_SCANNER);
                    }
                    return SessionOutcome.FAILED;
                }
            }
            config.loginRecorder().sessionStarted(client);
            if (!greeted) {
                reply(config.greeting());
            }
            authorize();
            return transact();
        } catch (SessionEnd e) {
            return e.outcome;
        } catch (ClientGone e) {
            LOG.info("client gone: {}", e.getMessage());
            return SessionOutcome.FAILED;
        } catch (UpstreamFailure e) {
            LOG.warn("server failure, closing: {}", e.getMessage());
            return SessionOutcome.FAILED;
        } catch (RuntimeException e) {
            LOG.error("internal error, closing the session", e);
            return SessionOutcome.FAILED;
        } finally {
            SessionThreads.sessionEnding();
            if (upstream != null) {
                closeConnection(upstreamSocket, upstreamTcp);
            }
            closeClient();
            MDC.remove("session");
            MDC.remove("client");
        }
    }

    /**
     * Handles AUTHORIZATION locally; returns once a login has succeeded upstream. The deadline
     * is kept twice: each read's timeout is shortened to what is left (the client gets
     * {@code -ERR timeout}), and, since one line may take many reads, a watchdog cuts the
     * connection a second after the deadline whatever the client trickles.
     */
    private void authorize() throws ClientGone, SessionEnd {
        authorizationDeadline = System.nanoTime() + config.authorizationTimeout().toNanos();
        Watchdog.Deadline cutoff = new Watchdog.Deadline(abort);
        cutoff.arm(config.authorizationTimeout().toNanos() + CUTOFF_MARGIN_NANOS);
        try {
            readLogin(cutoff);
        } finally {
            cutoff.disarm();
        }
    }

    private void readLogin(Watchdog.Deadline cutoff) throws ClientGone, SessionEnd {
        String user = null;
        for (int count = 1; count <= config.maxAuthorizationLines(); count++) {
            ClientLine line = readClient();
            if (line.kind() != ClientLine.Kind.LINE) {
                reply(line.kind() == ClientLine.Kind.TOO_LONG ? TOO_LONG : BAD_BYTES);
                continue;
            }
            String local = localCommand(line.text(), SessionState.AUTHORIZATION);
            if (local != null) {
                trace("C:", line.text());
                if (line.text().length() > 4) {
                    reply(BAD_ARGUMENTS);
                } else if (local.equals("CAPA")) {
                    replyCapabilities(SessionState.AUTHORIZATION);
                } else if (tls) {
                    reply(TLS_ACTIVE);
                } else if (!stlsOffered(SessionState.AUTHORIZATION)) {
                    reply(NO_STLS);
                } else {
                    startTls();
                    user = null;
                }
                continue;
            }
            CommandParser.Parsed parsed = CommandParser.parse(line.text());
            if (parsed instanceof CommandParser.BadArguments
                    && SessionState.AUTHORIZATION.accepts(((CommandParser.BadArguments) parsed).verb())) {
                reply(BAD_ARGUMENTS);
                continue;
            }
            if (!(parsed instanceof CommandParser.Valid)
                    || !SessionState.AUTHORIZATION.accepts(((CommandParser.Valid) parsed).command().verb())) {
                reply(LOGIN_FIRST);
                continue;
            }
            Command command = ((CommandParser.Valid) parsed).command();
            trace("C:", command);
            if (config.tlsRequired() && !tls && command.verb() != Verb.QUIT) {
                reply(TLS_REQUIRED);
                continue;
            }
            switch (command.verb()) {
                case USER:
                    user = command.text();
                    reply(USER_OK);
                    break;
                case PASS:
                    if (user == null) {
                        reply(GIVE_USER_FIRST);
                        break;
                    }
                    // The server, the ACP and the scanner have timeouts of their own.
                    cutoff.disarm();
                    if (!login(user, command.text())) {
                        throw new SessionEnd(SessionOutcome.FAILED);
                    }
                    return;
                default: // QUIT
                    reply(BYE);
                    throw new SessionEnd(SessionOutcome.CLOSED);
            }
        }
        LOG.info("too many lines without a login, closing");
        throw new SessionEnd(SessionOutcome.FAILED);
    }

    /** Selects the server, asks access control, connects and logs in; no second try. */
    private boolean login(String user, String password) throws ClientGone {
        Selection selection;
        try {
            selection = config.selector().select(client, user);
        } catch (RuntimeException e) {
            LOG.error("server selector failed", e);
            selection = Selection.reject("selector failed");
        }
        if (selection instanceof Selection.Reject) {
            LOG.warn("login refused for {}: {}", LogText.escape(user), ((Selection.Reject) selection).reason());
            reply(BAD_LOGIN);
            return false;
        }
        Selection.Route route = (Selection.Route) selection;
        ProxyLogin split = ProxyLogin.split(route.login(), password);
        AccessRequest request = new AccessRequest(client, route.server(), split.serverLogin(),
                split.proxyUser(), split.proxyPassword());
        AccessDecision decision;
        try {
            decision = config.accessController().check(request);
        } catch (RuntimeException e) {
            LOG.error("access controller failed", e);
            decision = AccessDecision.deny("access controller failed");
        }
        if (decision instanceof AccessDecision.Deny) {
            AccessDecision.Deny deny = (AccessDecision.Deny) decision;
            LOG.warn("access denied for {} to {}: {}", LogText.escape(split.serverLogin()),
                    LogText.escape(route.server().text()), LogText.escape(deny.reason()));
            if (deny.clientLines().isEmpty()) {
                reply(BAD_LOGIN);
            }
            for (String text : deny.clientLines()) {
                reply("-ERR " + LogText.printable(text));
            }
            return false;
        }
        String target = LogText.escape(route.server().text());
        try {
            upstreamTcp = Upstream.connect(config.transport(), route.server(),
                    new UpstreamOptions(config.sourceAddress(), config.connectTimeout(), config.timeout()));
            upstreamSocket = config.upstreamTls().start(upstreamTcp, route.server());
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot connect to {}: {}", target, e.getMessage());
            reply(BAD_LOGIN);
            return false;
        }
        try {
            // -t bounds every read from the server, whatever the Transport set.
            upstreamSocket.setSoTimeout(Math.toIntExact(config.timeout().toMillis()));
            upstream = upstreamSocket instanceof SSLSocket ? new Upstream(upstreamSocket)
                    : Upstream.plain(upstreamSocket, config.timeout().toMillis());
        } catch (IOException | RuntimeException e) {
            closeQuietly(upstreamSocket);
            LOG.warn("cannot connect to {}: {}", target, e.getMessage());
            reply(BAD_LOGIN);
            return false;
        }
        try {
            StatusLine greeting = upstream.readStatus();
            trace("S:", greeting);
            if (!greeting.ok()) {
                LOG.warn("server {} refused the connection: {}", target, greeting);
                reply(BAD_LOGIN);
                return false;
            }
            if (config.upstreamTls().mode() == UpstreamTls.Mode.STLS) {
                upstream = startUpstreamTls(upstreamSocket, route.server());
            }
            upstream.send("USER " + split.serverLogin());
            if (WIRE.isTraceEnabled()) {
                trace("C:", "USER " + split.serverLogin());
            }
            StatusLine userReply = upstream.readStatus();
            trace("S:", userReply);
            if (!userReply.ok()) {
                return loginRefused(split.serverLogin(), target, userReply);
            }
            upstream.send("PASS " + split.serverPassword());
            trace("C:", "PASS ****");
            StatusLine passReply = upstream.readStatus();
            trace("S:", passReply);
            if (!passReply.ok()) {
                return loginRefused(split.serverLogin(), target, passReply);
            }
            login = new LoginRecord(Instant.now(), client, split.serverLogin(), route.server());
            if (!config.quiet()) {
                LOG.info("login accepted: {} at {}", LogText.escape(split.serverLogin()), target);
            }
            config.loginRecorder().loggedIn(login);
            write(passReply.toClient());
            return true;
        } catch (UpstreamFailure e) {
            LOG.warn("login at {} failed: {}", target, e.getMessage());
            reply(BAD_LOGIN);
            return false;
        }
    }

    /**
     * Sends STLS and upgrades the server connection; any refusal, injected byte or certificate
     * fault fails the login, so USER and PASS never travel in clear.
     */
    private Upstream startUpstreamTls(Socket plain, ServerTarget server) throws UpstreamFailure {
        upstream.send("STLS");
        trace("C:", "STLS");
        StatusLine reply = upstream.readStatus();
        trace("S:", reply);
        if (!reply.ok()) {
            throw new UpstreamFailure("server refused STLS: " + reply);
        }
        if (upstream.hasUnread()) {
            throw new UpstreamFailure("server sent data after its STLS +OK; possible injection, aborting");
        }
        try {
            // The TLS socket takes its per-read timeout from the plain one.
            plain.setSoTimeout(Math.toIntExact(config.timeout().toMillis()));
            SSLSocket secured = config.upstreamTls().handshake(plain, server);
            upstreamSocket = secured;
            LOG.debug("TLS with the server: {} {}", secured.getSession().getProtocol(),
                    secured.getSession().getCipherSuite());
            return new Upstream(secured);
        } catch (IOException | RuntimeException e) {
            throw new UpstreamFailure("TLS with the server failed: " + e.getMessage());
        }
    }

    /** Returns {@code CAPA} or {@code STLS} when {@code text} is one the proxy answers itself in {@code state}. */
    private String localCommand(String text, SessionState state) {
        int space = text.indexOf(' ');
        String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        if (keyword.equals("CAPA") && (config.capa() || config.clientTls().isPresent())) {
            return keyword;
        }
        if (keyword.equals("STLS") && state == SessionState.AUTHORIZATION && config.clientTls().isPresent()) {
            return keyword;
        }
        return null;
    }

    /** Returns whether STLS is on offer: a certificate, a socket to upgrade, not yet TLS, before the login. */
    private boolean stlsOffered(SessionState state) {
        return state == SessionState.AUTHORIZATION && config.clientTls().isPresent() && socket != null && !tls;
    }

    /** Answers CAPA (RFC 2449) with what the proxy itself supports in {@code state}. */
    private void replyCapabilities(SessionState state) throws ClientGone {
        StringBuilder b = new StringBuilder(CAPA_OK).append("\r\n")
                .append("USER\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n");
        if (stlsOffered(state)) {
            b.append("STLS\r\n");
        }
        b.append("IMPLEMENTATION pop3proxy\r\n.\r\n");
        trace("P:", CAPA_OK_TRACE);
        write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Answers STLS and runs the TLS handshake on the client socket. Bytes already sent after
     * the STLS line would be read as if they came over TLS (command injection), so they end the
     * session instead. Afterwards a fresh line reader runs on the TLS streams.
     */
    private void startTls() throws ClientGone, SessionEnd {
        if (lines.hasUnread()) {
            LOG.warn("client sent data after STLS before the TLS handshake; possible injection, aborting");
            throw new SessionEnd(SessionOutcome.FAILED);
        }
        reply(STLS_OK);
        try {
            // The TLS socket takes its per-read timeout from the plain one.
            socket.setSoTimeout(Math.toIntExact(clientReads.timeoutMillis()));
            SSLSocket secured = config.clientTls().orElseThrow().serverSocket(socket);
            // Each handshake read has -t; the handshake as a whole must end by the AUTHORIZATION
            // deadline, or a client trickling its hello would hold the session for days.
            Watchdog.Deadline handshake = new Watchdog.Deadline(tcp);
            handshake.arm(Math.max(0, authorizationDeadline - System.nanoTime()));
            try {
                secured.startHandshake();
            } finally {
                handshake.disarm();
            }
            socket = secured;
            lines = new ClientLineReader(secured.getInputStream());
            clientReads = null;
            out = new WriteDeadline(secured.getOutputStream(), tcp, config.timeout().toMillis());
            tls = true;
            LOG.debug("TLS with the client: {} {}", secured.getSession().getProtocol(),
                    secured.getSession().getCipherSuite());
        } catch (IOException e) {
            LOG.info("TLS handshake with the client failed: {}", e.getMessage());
            throw new SessionEnd(SessionOutcome.FAILED);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Nothing more to do with a connection we are leaving.
        }
    }

    private boolean loginRefused(String serverLogin, String target, StatusLine reply) throws ClientGone {
        LOG.warn("server {} refused the login of {}: {}", target, LogText.escape(serverLogin), reply);
        reply(config.relayServerErrors() ? "-ERR " + LogText.printable(reply.text()) : BAD_LOGIN);
        return false;
    }

    /** Relays TRANSACTION commands until QUIT, the client's end or a failure. */
    private SessionOutcome transact() throws ClientGone, UpstreamFailure, SessionEnd {
        while (true) {
            ClientLine line = readClient();
            if (line.kind() != ClientLine.Kind.LINE) {
                reply(line.kind() == ClientLine.Kind.TOO_LONG ? TOO_LONG : BAD_BYTES);
                continue;
            }
            if ("CAPA".equals(localCommand(line.text(), SessionState.TRANSACTION))) {
                trace("C:", line.text());
                if (line.text().length() > 4) {
                    reply(BAD_ARGUMENTS);
                } else {
                    replyCapabilities(SessionState.TRANSACTION);
                }
                continue;
            }
            CommandParser.Parsed parsed = CommandParser.parse(line.text());
            if (parsed instanceof CommandParser.Unknown) {
                unknownCommands++;
                LOG.warn("unknown command: {}", LogText.escape(((CommandParser.Unknown) parsed).keyword()));
                reply(UNKNOWN);
                if (unknownCommands > config.maxUnknownCommands()) {
                    LOG.warn("too many unknown commands, closing");
                    return SessionOutcome.FAILED;
                }
                continue;
            }
            if (parsed instanceof CommandParser.BadArguments) {
                reply(BAD_ARGUMENTS);
                continue;
            }
            Command command = ((CommandParser.Valid) parsed).command();
            trace("C:", command);
            upstream.send(command.wire());
            StatusLine status = upstream.readStatus(command.verb().multiLine(command));
            trace("S:", status);
            if (status.ok() && scanning && (command.verb() == Verb.RETR || command.verb() == Verb.TOP)) {
                if (ScanningDelivery.deliver(config, status, upstream, out) == ScanningDelivery.Outcome.REFUSED) {
                    reply(SCAN_FAILED);
                    return SessionOutcome.FAILED;
                }
            } else if (status.ok() && command.verb().multiLine(command)) {
                upstream.relayBody(out, status.toClient());
            } else {
                write(status.toClient());
            }
            if (command.verb() == Verb.QUIT) {
                if (status.ok()) {
                    config.loginRecorder().quit(new LoginRecord(Instant.now(), login.client(),
                            login.serverLogin(), login.server()));
                }
                return SessionOutcome.CLOSED;
            }
        }
    }

    /**
     * Reads the next client line (possibly a refused one); ends the session on EOF, timeout or
     * a flood, never sending anything upstream.
     */
    private ClientLine readClient() throws ClientGone, SessionEnd {
        if (!loggedIn() && System.nanoTime() - authorizationDeadline >= 0) {
            LOG.info("no login within {} s, closing", config.authorizationTimeout().toSeconds());
            reply(TIMEOUT);
            throw new SessionEnd(SessionOutcome.FAILED);
        }
        ClientLine line;
        try {
            boundByAuthorizationDeadline();
            line = lines.read();
        } catch (SocketTimeoutException e) {
            LOG.info("client timed out");
            reply(TIMEOUT);
            throw new SessionEnd(SessionOutcome.FAILED);
        } catch (IOException e) {
            LOG.info("read from client failed: {}", e.getMessage());
            throw new SessionEnd(SessionOutcome.FAILED);
        }
        switch (line.kind()) {
            case EOF:
                LOG.info("client closed the connection");
                throw new SessionEnd(SessionOutcome.CLOSED);
            case FLOOD:
                LOG.warn("client sent an endless line, closing");
                throw new SessionEnd(SessionOutcome.FAILED);
            default:
                return line;
        }
    }

    private boolean loggedIn() {
        return login != null;
    }

    /**
     * Shortens the next read's timeout so that AUTHORIZATION as a whole ends at its deadline,
     * and restores the manual's per-read timeout once logged in.
     */
    private void boundByAuthorizationDeadline() throws IOException {
        if (socket == null) {
            return;
        }
        long perRead = config.timeout().toMillis();
        if (loggedIn()) {
            if (readTimeoutShortened) {
                readTimeout(perRead);
                readTimeoutShortened = false;
            }
            return;
        }
        long left = Math.max(1, (authorizationDeadline - System.nanoTime()) / 1_000_000);
        if (left < perRead) {
            readTimeout(left);
            readTimeoutShortened = true;
        }
    }

    private void readTimeout(long millis) throws IOException {
        if (clientReads != null) {
            clientReads.timeoutMillis(millis);
        } else {
            socket.setSoTimeout(Math.toIntExact(millis));
        }
    }

    private void reply(String line) throws ClientGone {
        trace("P:", line);
        write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    private void write(byte[] bytes) throws ClientGone {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new ClientGone("write to client failed: " + e.getMessage());
        }
    }

    /**
     * Traces a line: a string, a {@link StatusLine} or a {@link Command} (masked); the text is
     * made only when tracing is on.
     */
    private void trace(String direction, Object line) {
        if (WIRE.isTraceEnabled()) {
            String text = line instanceof Command ? ((Command) line).masked() : line.toString();
            WIRE.trace("{} {}", direction, LogText.escape(text));
        }
    }

    private static void boundTlsClose(Socket s) {
        if (s instanceof SSLSocket) {
            try {
                s.setSoTimeout(TLS_CLOSE_WAIT_MILLIS);
            } catch (IOException ignored) {
                // Closed already; closing will not wait.
            }
        }
    }

    private void closeClient() {
        if (socket != null) {
            closeConnection(socket, tcp);
        } else {
            try {
                out.flush();
            } catch (IOException ignored) {
                // The client is gone; the session is over anyway.
            }
        }
    }

    /**
     * Closes {@code socket} and the {@code tcp} socket under it. Closing TLS writes close_notify,
     * which a peer that stopped reading with full buffers blocks for ever, and may wait for the
     * peer's close_notify; a watchdog closes {@code tcp} under both waits once the bound passes.
     */
    private static void closeConnection(Socket socket, Socket tcp) {
        if (!(socket instanceof SSLSocket)) {
            closeQuietly(socket);
            closeQuietly(tcp);
            return;
        }
        boundTlsClose(socket);
        Watchdog.Deadline closing = new Watchdog.Deadline(tcp);
        closing.arm(TLS_CLOSE_WAIT_MILLIS * 1_000_000L);
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing more to do with a connection we are leaving.
        } finally {
            closing.disarm();
            closeQuietly(tcp);
        }
    }

    /** Ends the session with an outcome; the reply, if any, has been sent. */
    private static final class SessionEnd extends Exception {
        private static final long serialVersionUID = 1L;
        final transient SessionOutcome outcome;

        SessionEnd(SessionOutcome outcome) {
            super(outcome.name(), null, false, false);
            this.outcome = outcome;
        }
    }

    /** The login and password, with a {@code proxyuser:}/{@code proxypass:} part split off. */
    record ProxyLogin(String proxyUser, String serverLogin, String proxyPassword, String serverPassword) {
        /**
         * Splits at the first colon of the login; the password is split likewise only when the
         * login was, so that a plain password holding a colon reaches the server whole.
         */
        /** Returns a description without the passwords. */
        @Override
        public String toString() {
            return "ProxyLogin[proxyUser=" + proxyUser + ", serverLogin=" + serverLogin + "]";
        }

        static ProxyLogin split(String login, String password) {
            int colon = login.indexOf(':');
            if (colon < 0) {
                return new ProxyLogin("", login, "", password);
            }
            int pcolon = password.indexOf(':');
            return new ProxyLogin(login.substring(0, colon), login.substring(colon + 1),
                    pcolon < 0 ? "" : password.substring(0, pcolon),
                    pcolon < 0 ? password : password.substring(pcolon + 1));
        }
    }
}
