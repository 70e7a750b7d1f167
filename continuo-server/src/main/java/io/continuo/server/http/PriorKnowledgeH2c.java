package io.continuo.server.http;

import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;

/**
 * HTTP/2 cleartext by prior knowledge only, as gRPC clients speak it. An HTTP/1.1 request asking to upgrade
 * ({@code Upgrade: h2c}, what Java's HttpClient sends by default) stays HTTP/1.1: over an upgraded connection a body
 * over the size limit ends the whole connection instead of getting its 413.
 */
final class PriorKnowledgeH2c extends HTTP2CServerConnectionFactory {
    PriorKnowledgeH2c(HttpConfiguration config) {
        super(config);
    }

    @Override
    public Connection upgradeConnection(Connector connector, EndPoint endPoint, MetaData.Request request,
                                        HttpFields.Mutable response) throws BadMessageException {
        // Jetty hands the HTTP/2 preface to this method as a request with the PRI method
        return HttpMethod.PRI.is(request.getMethod()) ? super.upgradeConnection(connector, endPoint, request, response) : null;
    }
}
