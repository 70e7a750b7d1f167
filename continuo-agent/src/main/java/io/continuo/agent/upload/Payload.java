package io.continuo.agent.upload;

/** One HTTP request body waiting to be sent, with the path and query it goes to. */
public final class Payload {
    final String pathAndQuery;
    final String contentType;
    final byte[] body;
    final String description;

    public Payload(String pathAndQuery, String contentType, byte[] body, String description) {
        this.pathAndQuery = pathAndQuery;
        this.contentType = contentType;
        this.body = body;
        this.description = description;
    }

    public int size() { return body.length; }
}
