package io.continuo.server.pyroscope;

import io.continuo.model.FlameTree;
import io.continuo.server.pyroscope.proto.TypesProto;

import java.util.List;

/**
 * Pyroscope's stack trace selector: only the stacks that begin (root first) with the given call site, kept whole so
 * the flame graph still shows the path to them.
 */
final class CallSites {
    private CallSites() {
    }

    static FlameTree select(FlameTree tree, TypesProto.StackTraceSelector selector) {
        if (selector == null || selector.getCallSiteCount() == 0) {
            return tree;
        }
        if (selector.hasGoPgo()) {
            throw ConnectException.unimplemented("stack_trace_selector.go_pgo is not supported");
        }
        List<TypesProto.Location> site = selector.getCallSiteList();
        FlameTree out = new FlameTree(tree.columns(), 256);
        for (int c = 0; c < tree.columns(); c++) {
            int column = c;
            tree.forEachStack(c, (path, value) -> {
                if (startsWith(path, site)) {
                    int[] ids = new int[path.size()];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = out.nameId(path.get(i));
                    }
                    out.add(column, ids, ids.length, value);
                }
            });
        }
        return out;
    }

    private static boolean startsWith(List<String> path, List<TypesProto.Location> site) {
        if (path.size() < site.size()) {
            return false;
        }
        for (int i = 0; i < site.size(); i++) {
            if (!path.get(i).equals(site.get(i).getName())) {
                return false;
            }
        }
        return true;
    }
}
