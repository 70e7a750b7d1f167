package io.continuo.agent.upload;

import java.io.IOException;

/** Sends one payload and returns the HTTP status; I/O failures throw. */
public interface Transport {
    int send(Payload p) throws IOException;
}
