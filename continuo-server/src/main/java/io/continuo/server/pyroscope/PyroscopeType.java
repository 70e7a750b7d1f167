package io.continuo.server.pyroscope;

import io.continuo.server.pyroscope.proto.TypesProto;

/**
 * A Pyroscope profile type id, {@code name:sample_type:sample_unit:period_type:period_unit}, and the Continuo type
 * it stands for.
 */
record PyroscopeType(String continuoType, String id, String name, String sampleType, String sampleUnit,
                     String periodType, String periodUnit) {

    static PyroscopeType of(String continuoType, String id) {
        String[] p = id.split(":", -1);
        return new PyroscopeType(continuoType, id, p[0], p[1], p[2], p[3], p[4]);
    }

    /** The value of one of the type labels Pyroscope puts on every series, or null for another name. */
    String label(String labelName) {
        return switch (labelName) {
            case LabelNames.PROFILE_TYPE -> id;
            case LabelNames.NAME -> name;
            case LabelNames.TYPE -> sampleType;
            case LabelNames.UNIT -> sampleUnit;
            case LabelNames.PERIOD_TYPE -> periodType;
            case LabelNames.PERIOD_UNIT -> periodUnit;
            default -> null;
        };
    }

    TypesProto.ProfileType toProto() {
        return TypesProto.ProfileType.newBuilder().setID(id).setName(name).setSampleType(sampleType)
                .setSampleUnit(sampleUnit).setPeriodType(periodType).setPeriodUnit(periodUnit).build();
    }
}
