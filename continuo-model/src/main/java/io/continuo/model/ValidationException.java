package io.continuo.model;

/** Input that breaks a rule of the model: a bad label, selector or profile type. The message names what is wrong. */
public class ValidationException extends RuntimeException {
    public ValidationException(String message) {
        super(message);
    }

    public ValidationException(String message, Throwable cause) {
        super(message, cause);
    }
}
