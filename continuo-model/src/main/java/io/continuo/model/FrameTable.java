package io.continuo.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Interns frames: each distinct frame is stored once and named by a dense int index. */
public final class FrameTable {
    private final Map<Frame, Integer> index = new HashMap<>();
    private final List<Frame> frames = new ArrayList<>();

    public int intern(Frame frame) {
        Integer id = index.get(frame);
        if (id != null) {
            return id;
        }
        int next = frames.size();
        frames.add(frame);
        index.put(frame, next);
        return next;
    }

    public Frame get(int id) {
        return frames.get(id);
    }

    public int size() {
        return frames.size();
    }
}
