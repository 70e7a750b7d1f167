package io.continuo.formats.otlp;

/**
 * Field numbers of OTLP profiles v1development as of opentelemetry-proto v1.11.0 ({@code profiles.proto},
 * {@code profiles_service.proto}, {@code common.proto}, {@code resource.proto}); named after the spec's fields.
 */
final class OtlpFields {
    private OtlpFields() {
    }

    // ExportProfilesServiceRequest
    static final int REQUEST_RESOURCE_PROFILES = 1;
    static final int REQUEST_DICTIONARY = 2;

    // ProfilesDictionary
    static final int DICTIONARY_MAPPING_TABLE = 1;
    static final int DICTIONARY_LOCATION_TABLE = 2;
    static final int DICTIONARY_FUNCTION_TABLE = 3;
    static final int DICTIONARY_LINK_TABLE = 4;
    static final int DICTIONARY_STRING_TABLE = 5;
    static final int DICTIONARY_ATTRIBUTE_TABLE = 6;
    static final int DICTIONARY_STACK_TABLE = 7;

    // ResourceProfiles
    static final int RESOURCE_PROFILES_RESOURCE = 1;
    static final int RESOURCE_PROFILES_SCOPE_PROFILES = 2;

    // Resource
    static final int RESOURCE_ATTRIBUTES = 1;

    // ScopeProfiles
    static final int SCOPE_PROFILES_SCOPE = 1;
    static final int SCOPE_PROFILES_PROFILES = 2;

    // InstrumentationScope
    static final int SCOPE_NAME = 1;
    static final int SCOPE_VERSION = 2;
    static final int SCOPE_ATTRIBUTES = 3;

    // Profile
    static final int PROFILE_SAMPLE_TYPE = 1;
    static final int PROFILE_SAMPLES = 2;
    static final int PROFILE_TIME_UNIX_NANO = 3;
    static final int PROFILE_DURATION_NANO = 4;
    static final int PROFILE_PERIOD_TYPE = 5;
    static final int PROFILE_PERIOD = 6;
    static final int PROFILE_ATTRIBUTE_INDICES = 11;

    // ValueType
    static final int VALUE_TYPE_TYPE_STRINDEX = 1;
    static final int VALUE_TYPE_UNIT_STRINDEX = 2;

    // Sample
    static final int SAMPLE_STACK_INDEX = 1;
    static final int SAMPLE_ATTRIBUTE_INDICES = 2;
    static final int SAMPLE_LINK_INDEX = 3;
    static final int SAMPLE_VALUES = 4;
    static final int SAMPLE_TIMESTAMPS_UNIX_NANO = 5;

    // Mapping
    static final int MAPPING_MEMORY_START = 1;
    static final int MAPPING_FILE_OFFSET = 3;
    static final int MAPPING_FILENAME_STRINDEX = 4;

    // Stack
    static final int STACK_LOCATION_INDICES = 1;

    // Location
    static final int LOCATION_MAPPING_INDEX = 1;
    static final int LOCATION_ADDRESS = 2;
    static final int LOCATION_LINES = 3;

    // Line
    static final int LINE_FUNCTION_INDEX = 1;
    static final int LINE_LINE = 2;

    // Function
    static final int FUNCTION_NAME_STRINDEX = 1;
    static final int FUNCTION_SYSTEM_NAME_STRINDEX = 2;
    static final int FUNCTION_FILENAME_STRINDEX = 3;

    // Link
    static final int LINK_TRACE_ID = 1;
    static final int LINK_SPAN_ID = 2;

    // KeyValueAndUnit (dictionary attribute_table)
    static final int KEY_VALUE_AND_UNIT_KEY_STRINDEX = 1;
    static final int KEY_VALUE_AND_UNIT_VALUE = 2;

    // KeyValue (resource and scope attributes)
    static final int KEY_VALUE_KEY = 1;
    static final int KEY_VALUE_VALUE = 2;
    static final int KEY_VALUE_KEY_STRINDEX = 3;

    // AnyValue: only strings become labels
    static final int ANY_VALUE_STRING_VALUE = 1;
    static final int ANY_VALUE_STRING_VALUE_STRINDEX = 8;
}
