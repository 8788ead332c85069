package io.keyflow.testkit.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Starts a {@link KeyflowEnvironment} before a {@link KeyflowTest} class's first test and closes it
 * after its last; resolves {@link KeyflowEnvironment} parameters. Registered by the annotation.
 */
public final class KeyflowExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KeyflowExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    environment(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KeyflowEnvironment.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return environment(context);
  }

  private static KeyflowEnvironment environment(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ExtensionContext classContext = classContext(context);
    return classContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            testClass.getName(), key -> start(testClass), KeyflowEnvironment.class);
  }

  /** The class's context: a test method's context hangs below it. */
  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
      current = current.getParent().get();
    }
    return current;
  }

  private static KeyflowEnvironment start(Class<?> testClass) {
    KeyflowTest settings =
        AnnotationSupport.findAnnotation(testClass, KeyflowTest.class)
            .orElseThrow(
                () ->
                    new ExtensionConfigurationException(
                        testClass.getName() + " is not annotated with @KeyflowTest"));
    Object functions = functionsOf(testClass);
    try {
      Path workDir = Files.createTempDirectory("keyflow-test-");
      return KeyflowEnvironment.start(settings, functions, workDir);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new ExtensionConfigurationException(
          "could not start Keyflow for " + testClass.getName() + ": " + e, e);
    }
  }

  /** The value of the class's {@link TestFunctions} field, as a handler or a URL. */
  static Object functionsOf(Class<?> testClass) {
    List<Field> fields = new ArrayList<>();
    for (Class<?> c = testClass; c != null; c = c.getSuperclass()) {
      Stream.of(c.getDeclaredFields())
          .filter(f -> f.isAnnotationPresent(TestFunctions.class))
          .forEach(fields::add);
    }
    if (fields.size() != 1) {
      throw new ExtensionConfigurationException(
          testClass.getName()
              + " needs exactly one static field annotated @TestFunctions (a StatefulFunctions,"
              + " a RequestReplyHandler or a String URL); found "
              + fields.size());
    }
    Field field = fields.get(0);
    if (!Modifier.isStatic(field.getModifiers())) {
      throw new ExtensionConfigurationException(
          "@TestFunctions field " + field.getName() + " must be static: it serves the whole class");
    }
    Object value;
    try {
      field.setAccessible(true);
      value = field.get(null);
    } catch (IllegalAccessException e) {
      throw new ExtensionConfigurationException("cannot read @TestFunctions field " + field, e);
    }
    if (value instanceof StatefulFunctions functions) {
      return functions.requestReplyHandler();
    }
    if (value instanceof RequestReplyHandler || value instanceof String) {
      return value;
    }
    throw new ExtensionConfigurationException(
        "@TestFunctions field "
            + field.getName()
            + " holds "
            + (value == null ? "null" : value.getClass().getName())
            + "; expected a StatefulFunctions, a RequestReplyHandler or a String URL");
  }
}
