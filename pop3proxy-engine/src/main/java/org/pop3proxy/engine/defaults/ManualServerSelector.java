package org.pop3proxy.engine.defaults;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.Selection;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.engine.internal.LogText;

/**
 * Selects the server as the manual's {@code -e}, {@code -c} and {@code -s} options do.
 *
 * <p>Without client selection every login goes, unchanged, to the default server. With it, the
 * login is split at the <em>last</em> character from the delimiter set: the left part is the
 * server login (colons, and so a {@code proxyuser:} prefix, kept intact for the engine), the
 * right part the server as {@code host[:port]} or {@code [ipv6][:port]}, port a number or a
 * service name from {@code /etc/services}. A login without a delimiter goes to the default
 * server, or is rejected when there is none. With an allow-list, a selected server must match
 * one entry; the {@link ServerTarget} returned is built from exactly the text that matched.
 * The default server is the operator's own choice and is not checked against the list.
 *
 * <p>Logins that are empty or hold a blank or control character are rejected in both modes.
 * See {@code docs/SELECTION.md} for the host forms accepted and why. Immutable and safe for
 * concurrent use; {@link #select} never throws.
 */
public final class ManualServerSelector implements ServerSelector {
    /** The manual's default delimiter set. */
    public static final String DEFAULT_DELIMITERS = "@";

    private static final int MAX_LOGIN_LENGTH = 1024;

    private final Optional<ServerTarget> defaultServer;
    private final boolean clientSelection;
    private final String delimiters;
    private final Optional<AllowList> allowList;
    private final ServiceNames services;

    private ManualServerSelector(Builder b) {
        this.defaultServer = b.defaultServer;
        this.clientSelection = b.clientSelection;
        this.delimiters = b.delimiters;
        this.allowList = b.allowList;
        this.services = b.services;
    }

    /** Returns a builder with no default server, client selection off and the {@code @} delimiter. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Selection select(ClientInfo client, String login) {
        try {
            return decide(login);
        } catch (RuntimeException e) {
            return Selection.reject("selector error: " + e.getClass().getSimpleName());
        }
    }

    private Selection decide(String login) {
        if (login == null || login.isEmpty()) {
            return Selection.reject("empty login");
        }
        if (login.length() > MAX_LOGIN_LENGTH) {
            return Selection.reject("login longer than " + MAX_LOGIN_LENGTH + " characters");
        }
        for (int i = 0; i < login.length(); i++) {
            char c = login.charAt(i);
            if (c <= 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return Selection.reject("blank or control character in login");
            }
        }
        int split = clientSelection ? lastDelimiter(login) : -1;
        if (split < 0) {
            return defaultServer.map(s -> Selection.route(s, login))
                    .orElseGet(() -> Selection.reject("no server in login and no default server"));
        }
        String user = login.substring(0, split);
        String serverText = login.substring(split + 1);
        if (user.isEmpty()) {
            return Selection.reject("empty login before the server");
        }
        ServerText.Outcome parsed = ServerText.parse(serverText, services);
        if (parsed instanceof ServerText.Invalid invalid) {
            return Selection.reject("server \"" + LogText.escape(serverText) + "\" refused: " + invalid.reason());
        }
        ServerText.Parsed server = (ServerText.Parsed) parsed;
        if (allowList.isPresent() && allowList.get().match(server).isEmpty()) {
            return Selection.reject("server \"" + server.text() + "\" is not in the server list");
        }
        return Selection.route(server.target(), user);
    }

    private int lastDelimiter(String login) {
        for (int i = login.length() - 1; i >= 0; i--) {
            if (delimiters.indexOf(login.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "ManualServerSelector[default=" + defaultServer.map(ServerTarget::text).orElse("-")
                + ", clientSelection=" + clientSelection + ", delimiters=" + delimiters
                + allowList.map(a -> ", serverList=" + a).orElse("") + "]";
    }

    /** Builds {@link ManualServerSelector}s. Not thread-safe. */
    public static final class Builder {
        private Optional<ServerTarget> defaultServer = Optional.empty();
        private boolean clientSelection;
        private String delimiters = DEFAULT_DELIMITERS;
        private Optional<AllowList> allowList = Optional.empty();
        private ServiceNames services;

        private Builder() {}

        /** Sends logins without a server part to {@code server}. */
        public Builder defaultServer(ServerTarget server) {
            this.defaultServer = Optional.of(Objects.requireNonNull(server, "server"));
            return this;
        }

        /**
         * Sets the default server from the command line's {@code server} argument:
         * {@code host[:port]} or {@code [ipv6][:port]} with the same rules as a client's choice,
         * or {@code -} for none.
         *
         * @throws IllegalArgumentException with the reason if {@code server} is not usable
         */
        public Builder defaultServer(String server) {
            Objects.requireNonNull(server, "server");
            if (server.equals("-")) {
                this.defaultServer = Optional.empty();
                return this;
            }
            ServerText.Outcome parsed = ServerText.parse(server, services());
            if (parsed instanceof ServerText.Invalid invalid) {
                throw new IllegalArgumentException("server \"" + LogText.escape(server) + "\": " + invalid.reason());
            }
            this.defaultServer = Optional.of(((ServerText.Parsed) parsed).target());
            return this;
        }

        /** Removes the default server: logins without a server part are rejected. */
        public Builder noDefaultServer() {
            this.defaultServer = Optional.empty();
            return this;
        }

        /** Lets the client select the server in its login (the manual's {@code -e}). */
        public Builder clientSelection(boolean clientSelection) {
            this.clientSelection = clientSelection;
            return this;
        }

        /**
         * Sets the characters that separate login and server (the manual's {@code -c}).
         *
         * @throws IllegalArgumentException if {@code delimiters} is empty or holds a blank, a
         *                                  control character, {@code :}, {@code [} or {@code ]}
         *                                  (those are part of the server or the proxy login)
         */
        public Builder delimiters(String delimiters) {
            Objects.requireNonNull(delimiters, "delimiters");
            if (delimiters.isEmpty()) {
                throw new IllegalArgumentException("delimiters: empty");
            }
            for (int i = 0; i < delimiters.length(); i++) {
                char c = delimiters.charAt(i);
                if (c <= 0x20 || c >= 0x7f || c == ':' || c == '[' || c == ']') {
                    throw new IllegalArgumentException("delimiters: '" + (c > 0x20 && c < 0x7f ? c : '?')
                            + "' cannot be a delimiter (blank, control, non-ASCII, ':', '[' or ']')");
                }
            }
            this.delimiters = delimiters;
            return this;
        }

        /**
         * Restricts the selectable servers to the comma-separated glob patterns in
         * {@code serverList} (the manual's {@code -s}).
         *
         * @throws IllegalArgumentException naming the bad entry
         */
        public Builder serverList(String serverList) {
            this.allowList = Optional.of(AllowList.parse(serverList));
            return this;
        }

        /** Restricts the selectable servers to {@code patterns}; see {@link #serverList(String)}. */
        public Builder serverList(List<String> patterns) {
            this.allowList = Optional.of(AllowList.of(Objects.requireNonNull(patterns, "patterns")));
            return this;
        }

        /** Lets every selected server through (no {@code -s}). */
        public Builder noServerList() {
            this.allowList = Optional.empty();
            return this;
        }

        Builder services(ServiceNames services) {
            this.services = Objects.requireNonNull(services, "services");
            return this;
        }

        private ServiceNames services() {
            if (services == null) {
                services = ServiceNames.load(ServiceNames.ETC_SERVICES);
            }
            return services;
        }

        /**
         * Returns the selector.
         *
         * @throws IllegalStateException if a server list is set without client selection
         *                               ({@code -s} needs {@code -e}), or if there is neither a
         *                               default server nor client selection
         */
        public ManualServerSelector build() {
            if (allowList.isPresent() && !clientSelection) {
                throw new IllegalStateException("serverList (-s) requires clientSelection (-e)");
            }
            if (defaultServer.isEmpty() && !clientSelection) {
                throw new IllegalStateException("defaultServer is required unless clientSelection (-e) is on");
            }
            services();
            return new ManualServerSelector(this);
        }
    }
}
