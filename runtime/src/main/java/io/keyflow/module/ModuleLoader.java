package io.keyflow.module;

import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.nodes.MappingNode;

/**
 * Loads a {@link Module} from {@code module.yaml} in StateFun 3.x's format: a stream of YAML
 * documents separated by {@code ---}, each with exactly a {@code kind} and a {@code spec}.
 *
 * <pre>{@code
 * kind: io.statefun.endpoints.v2/http
 * spec:
 *   functions: shop/*
 *   urlPathTemplate: http://functions:8000/statefun/{function.name}
 * ---
 * kind: io.statefun.kafka.v1/egress
 * spec:
 *   id: shop/receipts
 *   ...
 * }</pre>
 *
 * <p>Each kind is read by its {@link ComponentBinder}: the endpoint kinds are built in, others are
 * found with {@link java.util.ServiceLoader} through the thread's context class loader. Empty
 * documents are skipped but still counted, so that document numbers in errors match what an editor
 * shows. Every problem is a {@link ModuleException} naming file, document and field.
 */
public final class ModuleLoader {

  private static final String KIND_EXAMPLE = "a kind such as " + HttpEndpointBinder.KIND;

  private ModuleLoader() {}

  /**
   * Loads the module at {@code location}: {@code classpath:NAME} (every resource of that name
   * visible to the context class loader, merged into one module), a {@code file:} URL, or a path.
   */
  public static Module load(String location) {
    return load(location, contextClassLoader());
  }

  /** Reads {@code yamlText} as a module file named {@code sourceName} in error messages. */
  public static Module parse(String sourceName, String yamlText) {
    return parse(sourceName, yamlText, contextClassLoader());
  }

  static Module load(String location, ClassLoader loader) {
    Binders binders = Binders.discover(loader);
    ModuleAssembly assembly = new ModuleAssembly();
    for (ModuleSources.Source source : ModuleSources.read(location, loader)) {
      bindAll(source.name(), source.text(), binders, assembly);
    }
    return assembly.build(location);
  }

  static Module parse(String sourceName, String yamlText, ClassLoader loader) {
    ModuleAssembly assembly = new ModuleAssembly();
    bindAll(sourceName, yamlText, Binders.discover(loader), assembly);
    return assembly.build(sourceName);
  }

  private static void bindAll(String file, String text, Binders binders, ModuleAssembly into) {
    List<YamlNode> documents = Documents.read(file, text);
    List<ModuleAssembly.Bound> bound = new ArrayList<>();
    for (YamlNode document : documents) {
      ModuleAssembly.Bound one = bind(document, binders);
      if (one.component() instanceof CompositeComponent composite) {
        composite.parts().forEach(part -> bound.add(new ModuleAssembly.Bound(part, one.spec())));
      } else {
        bound.add(one);
      }
    }
    bound.forEach(into::add);
  }

  private static ModuleAssembly.Bound bind(YamlNode document, Binders binders) {
    if (!(document.node() instanceof MappingNode)) {
      throw document.error(
          null,
          "the document is " + Scalars.describe(document.node()),
          "an object with the keys kind and spec");
    }
    if (document.keys().contains("version")) {
      throw document.error(
          "version",
          "the legacy module format (a single document with version, module.meta and"
              + " module.spec) is not supported",
          "one document per component, each with kind and spec, such as kind: "
              + HttpEndpointBinder.KIND);
    }
    document.allowOnlyKeys("kind", "spec");
    if (!document.has("kind")) {
      throw document.error("kind", "missing", KIND_EXAMPLE);
    }
    String kind = document.requireString("kind");
    ComponentBinder binder = binders.forKind(kind);
    if (binder == null) {
      throw document.error(
          "kind",
          "unknown kind '" + kind + "'" + Spelling.hint(kind, binders.kinds()),
          "one of " + String.join(", ", binders.kinds()));
    }
    YamlNode spec =
        new YamlNode(document.file(), document.document(), kind, "", document.node())
            .requireObject("spec");
    Component component;
    try {
      component = binder.bind(spec);
    } catch (ModuleException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ModuleException.at(
          spec.file(),
          spec.document(),
          kind,
          spec.path(),
          binder.getClass().getName() + " failed: " + e.getMessage(),
          null,
          e);
    }
    if (!(component instanceof HttpEndpoint
        || component instanceof IngressComponent
        || component instanceof EgressComponent
        || component instanceof ScheduleComponent
        || component instanceof CompositeComponent)) {
      throw spec.error(
          null,
          binder.getClass().getName()
              + " returned "
              + (component == null ? "null" : component.getClass().getName()),
          "an HttpEndpoint, IngressComponent, EgressComponent, ScheduleComponent or"
              + " CompositeComponent");
    }
    return new ModuleAssembly.Bound(component, spec);
  }

  private static ClassLoader contextClassLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : ModuleLoader.class.getClassLoader();
  }
}
