package org.pop3proxy.api;

/**
 * Hears about logins, for pop-before-smtp and quick debugging (the manual's {@code -l}).
 * Methods must be safe for concurrent use and must not throw; failures are the recorder's
 * to log, never a reason to end a session.
 */
public interface LoginRecorder {

    /** Records nothing. */
    LoginRecorder NONE = new LoginRecorder() {
        @Override
        public String toString() {
            return "LoginRecorder.NONE";
        }
    };

    /** A client connected; nothing is known yet about its login. */
    default void sessionStarted(ClientInfo client) {}

    /** The server accepted the login. */
    default void loggedIn(LoginRecord login) {}

    /** The client quit and the server confirmed it. */
    default void quit(LoginRecord login) {}
}
