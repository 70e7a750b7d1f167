package io.continuo.store.duckdb;

import io.continuo.store.QueryDeadline;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A reader connection whose statements are cancelled ({@link Statement#cancel()}, which interrupts DuckDB's
 * execution) when the thread's {@link QueryDeadline} expires. A proxy, so every query method of the store is covered
 * through the one place that hands out reader connections, without a change at each statement.
 */
final class CancellableConnection {
    private CancellableConnection() {
    }

    static Connection wrap(Connection c, QueryDeadline deadline) {
        InvocationHandler handler = (proxy, method, args) -> {
            Object result;
            try {
                result = method.invoke(c, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result instanceof Statement st) {
                // the registration lives as long as the statement's work; the hook is harmless after it closes
                deadline.onExpiry(() -> cancel(st));
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class}, handler);
    }

    private static void cancel(Statement st) {
        try {
            if (!st.isClosed()) {
                st.cancel();
            }
        } catch (SQLException e) {
            // already finished or closed
        }
    }
}
