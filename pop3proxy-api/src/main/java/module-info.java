/** The service-provider interfaces of pop3proxy and the values they exchange. */
module org.pop3proxy.api {
    exports org.pop3proxy.api;
}
