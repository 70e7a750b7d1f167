package io.continuo.server.http;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.util.thread.Scheduler;

import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 with a limit on how long a request's headers may take ({@code --header-timeout}). Jetty 11's idle timeout
 * never fires for a client that sends one header byte every few seconds, so hundreds of such connections could stay
 * open forever; here a connection seen twice in a row, one timeout apart, in the middle of the same request's headers
 * is closed. Idle keep-alive connections (nothing of a request received yet) are left to the idle timeout.
 */
final class HeaderTimeout extends HttpConnectionFactory {
    private final long timeoutMillis;

    HeaderTimeout(HttpConfiguration config, long timeoutMillis) {
        super(config);
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        Connection c = super.newConnection(connector, endPoint);
        if (c instanceof HttpConnection http) {
            new Watch(http, endPoint, connector.getScheduler()).schedule();
        }
        return c;
    }

    private final class Watch implements Runnable {
        private final HttpConnection connection;
        private final EndPoint endPoint;
        private final Scheduler scheduler;
        private long partialAt = -1;

        Watch(HttpConnection connection, EndPoint endPoint, Scheduler scheduler) {
            this.connection = connection;
            this.endPoint = endPoint;
            this.scheduler = scheduler;
        }

        void schedule() {
            scheduler.schedule(this, timeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void run() {
            if (!endPoint.isOpen() || endPoint.getConnection() != connection) {
                return; // closed, or upgraded to HTTP/2 (whose streams have their own timeouts)
            }
            boolean partial = !connection.getParser().isStart() && connection.getParser().inHeaderState();
            long messages = connection.getMessagesIn();
            if (partial && partialAt == messages) {
                endPoint.close(); // the same request's headers still incomplete after a whole timeout
                return;
            }
            partialAt = partial ? messages : -1;
            schedule();
        }
    }
}
