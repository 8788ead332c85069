package io.keyflow.module;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Ingress and egress kinds registered through ServiceLoader, as an I/O module would. */
public final class TestComponents {

  static final String INGRESS_KIND = "test.keyflow/ingress";
  static final String EGRESS_KIND = "test.keyflow/egress";

  private TestComponents() {}

  record TestIngress(TypeName id, String topic) implements IngressComponent {}

  record TestEgress(TypeName id) implements EgressComponent {}

  public static final class IngressBinder implements ComponentBinder {
    @Override
    public String kind() {
      return INGRESS_KIND;
    }

    @Override
    public Component bind(YamlNode spec) {
      spec.allowOnlyKeys("id", "topic");
      return new TestIngress(spec.requireTypeName("id"), spec.requireString("topic"));
    }
  }

  public static final class EgressBinder implements ComponentBinder {
    @Override
    public String kind() {
      return EGRESS_KIND;
    }

    @Override
    public Component bind(YamlNode spec) {
      spec.allowOnlyKeys("id");
      return new TestEgress(spec.requireTypeName("id"));
    }
  }

  /** Claims the egress kind a second time, to make it ambiguous. */
  public static final class RivalEgressBinder implements ComponentBinder {
    @Override
    public String kind() {
      return EGRESS_KIND;
    }

    @Override
    public Component bind(YamlNode spec) {
      throw new UnsupportedOperationException();
    }
  }

  /** Fails with a plain exception, as a careless binder might. */
  public static final class SloppyBinder implements ComponentBinder {
    @Override
    public String kind() {
      return "test.keyflow/sloppy";
    }

    @Override
    public Component bind(YamlNode spec) {
      throw new IllegalArgumentException("port must be positive");
    }
  }

  /**
   * A class loader that sees {@code binders} in META-INF/services (and, under {@code dir}, any
   * files the test writes there), on top of the test class path.
   */
  static ClassLoader withBinders(Path dir, Class<?>... binders) throws IOException {
    Path services = dir.resolve("META-INF/services/" + ComponentBinder.class.getName());
    Files.createDirectories(services.getParent());
    Files.writeString(
        services, Arrays.stream(binders).map(Class::getName).collect(Collectors.joining("\n")));
    return new URLClassLoader(
        new URL[] {dir.toUri().toURL()}, TestComponents.class.getClassLoader());
  }
}
