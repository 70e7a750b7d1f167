package io.continuo.server.http;

import io.javalin.security.RouteRole;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every endpoint the app registered, as Javalin reported it: what the access tests enumerate. */
public final class RouteTable {
    private final List<Route> routes = new CopyOnWriteArrayList<>();

    void add(String method, String path, Set<RouteRole> roles) {
        routes.add(new Route(method, path, Set.copyOf(roles)));
    }

    public List<Route> all() {
        return List.copyOf(routes);
    }

    /** @param method HTTP method as Javalin names it (GET, POST, ...); before/after filters are not listed */
    public record Route(String method, String path, Set<RouteRole> roles) {
        public boolean isPublic() {
            return roles.contains(Access.PUBLIC);
        }
    }
}
