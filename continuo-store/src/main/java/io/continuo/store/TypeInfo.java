package io.continuo.store;

public record TypeInfo(String name, String unit) {
}
