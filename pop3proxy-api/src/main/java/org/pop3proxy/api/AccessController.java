package org.pop3proxy.api;

/**
 * Decides whether a login may proceed to its server; the manual's access control program
 * ({@code -a}). Called right before the upstream connection is made. Implementations must be
 * safe for concurrent use and must not throw: failures are denials.
 */
@FunctionalInterface
public interface AccessController {

    /** Grants every request. */
    AccessController ALLOW_ALL = request -> AccessDecision.allow();

    /** Decides on {@code request}. */
    AccessDecision check(AccessRequest request);
}
