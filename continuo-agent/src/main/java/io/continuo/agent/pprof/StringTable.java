package io.continuo.agent.pprof;

import java.util.Arrays;

/** Interns strings to dense ids; id 0 is always "" as pprof's string table requires. */
public final class StringTable {
    private String[] byId = new String[64];
    private int count;
    private String[] keys;
    private int[] ids;
    private int mask;

    StringTable() {
        keys = new String[128];
        ids = new int[128];
        mask = keys.length - 1;
        intern("");
    }

    public int size() { return count; }

    public String get(int id) { return byId[id]; }

    void clear() {
        Arrays.fill(keys, null);
        Arrays.fill(byId, 0, count, null);
        count = 0;
        intern("");
    }

    public int intern(String s) {
        int i = s.hashCode() * 0x9E3779B9 >>> 7 & mask;
        while (true) {
            String k = keys[i];
            if (k == null) break;
            if (k.equals(s)) return ids[i];
            i = (i + 1) & mask;
        }
        keys[i] = s;
        ids[i] = count;
        if (count == byId.length) byId = Arrays.copyOf(byId, count * 2);
        byId[count] = s;
        count++;
        if (count * 2 > keys.length) grow();
        return count - 1;
    }

    private void grow() {
        keys = new String[keys.length * 2];
        ids = new int[keys.length];
        mask = keys.length - 1;
        for (int id = 0; id < count; id++) {
            String s = byId[id];
            int i = s.hashCode() * 0x9E3779B9 >>> 7 & mask;
            while (keys[i] != null) i = (i + 1) & mask;
            keys[i] = s;
            ids[i] = id;
        }
    }
}
