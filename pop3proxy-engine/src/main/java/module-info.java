/** The pop3proxy engine: serve POP3 clients through a {@link org.pop3proxy.engine.Pop3Proxy}. */
module org.pop3proxy.engine {
    requires transitive org.pop3proxy.api;
    requires org.slf4j;

    exports org.pop3proxy.engine;
    exports org.pop3proxy.engine.defaults;
}
