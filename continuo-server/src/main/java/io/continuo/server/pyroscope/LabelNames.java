package io.continuo.server.pyroscope;

import io.continuo.model.Labels;

/**
 * Label names between Pyroscope and Continuo: Pyroscope's {@code service_name} is Continuo's {@code service}; the
 * {@code __...__} names are Pyroscope's type labels, derived from the profile type id of each series.
 */
final class LabelNames {
    static final String SERVICE_NAME = "service_name";
    static final String PROFILE_TYPE = "__profile_type__";
    static final String NAME = "__name__";
    static final String TYPE = "__type__";
    static final String UNIT = "__unit__";
    static final String PERIOD_TYPE = "__period_type__";
    static final String PERIOD_UNIT = "__period_unit__";
    static final String[] TYPE_LABELS = {NAME, PERIOD_TYPE, PERIOD_UNIT, PROFILE_TYPE, TYPE, UNIT};

    private LabelNames() {
    }

    static boolean isTypeLabel(String name) {
        for (String t : TYPE_LABELS) {
            if (t.equals(name)) {
                return true;
            }
        }
        return false;
    }

    static String toPyroscope(String continuoName) {
        return Labels.SERVICE.equals(continuoName) ? SERVICE_NAME : continuoName;
    }

    static String toContinuo(String pyroscopeName) {
        return SERVICE_NAME.equals(pyroscopeName) ? Labels.SERVICE : pyroscopeName;
    }
}
