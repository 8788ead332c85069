package io.keyflow.testkit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the static field of a {@link KeyflowTest} class that holds the functions under test: a Java
 * SDK {@code StatefulFunctions}, an SDK {@code RequestReplyHandler}, or a {@code String} base URL
 * (such as {@code http://127.0.0.1:9000}) of functions served elsewhere, by any SDK. The kit serves
 * them on a free port in front of which the module's endpoint URLs are pointed (their path is
 * kept).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface TestFunctions {}
