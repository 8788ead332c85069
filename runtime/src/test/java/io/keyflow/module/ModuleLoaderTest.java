package io.keyflow.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.TestComponents.EgressBinder;
import io.keyflow.module.TestComponents.IngressBinder;
import io.keyflow.module.TestComponents.RivalEgressBinder;
import io.keyflow.module.TestComponents.SloppyBinder;
import io.keyflow.module.TestComponents.TestEgress;
import io.keyflow.module.TestComponents.TestIngress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleLoaderTest {

  @TempDir Path dir;

  private static Module parse(String yaml) {
    return ModuleLoader.parse("module.yaml", yaml);
  }

  private static final String SHOP_ENDPOINT =
      """
      kind: io.statefun.endpoints.v2/http
      spec:
        functions: shop/*
        urlPathTemplate: http://shop:8000/statefun/{function.name}
      """;

  @Test
  void readsEveryDocumentOfAMultiDocumentFile() {
    Module module =
        parse(
            """
            kind: io.statefun.endpoints.v2/http
            spec:
              functions: shop/*
              urlPathTemplate: http://shop:8000/statefun/{function.name}
              maxNumBatchRequests: 200
              transport:
                call: 30s
                connect: 2s
            ---
            kind: io.statefun.endpoints.v2/http
            spec:
              functions: shop/cart
              urlPathTemplate: https://cart.shop/{function.name}
            ---
            kind: io.statefun.endpoints.v1/http
            spec:
              functions: legacy/*
              urlPathTemplate: http://legacy/{function.name}
              timeouts: {call: 20s}
            """);

    assertThat(module.source()).isEqualTo("module.yaml");
    assertThat(module.endpoints()).hasSize(3);
    assertThat(module.ingresses()).isEmpty();
    assertThat(module.egresses()).isEmpty();
    HttpEndpoint shop = module.endpoints().get(0);
    assertThat(shop.functions()).hasToString("shop/*");
    assertThat(shop.maxNumBatchRequests()).isEqualTo(200);
    assertThat(shop.transport().call()).isEqualTo(Duration.ofSeconds(30));
    assertThat(shop.transport().connect()).isEqualTo(Duration.ofSeconds(2));
    assertThat(module.endpoints().get(2).transport().type()).isEqualTo(Transport.OKHTTP);
    assertThat(module.endpoints())
        .as("v1 and v2 endpoints without maxConcurrentRequests get the same default cap")
        .allSatisfy(endpoint -> assertThat(endpoint.maxConcurrentRequests()).isEqualTo(64));
  }

  @Test
  void exactBindingWinsOverNamespaceBindingWhateverTheOrder() {
    Module module =
        parse(
            SHOP_ENDPOINT
                + """
                ---
                kind: io.statefun.endpoints.v2/http
                spec:
                  functions: shop/cart
                  urlPathTemplate: https://cart.shop/{function.name}
                """);

    assertThat(module.endpointFor(TypeName.parse("shop/cart")))
        .get()
        .extracting(e -> e.urlFor(TypeName.parse("shop/cart")))
        .isEqualTo(URI.create("https://cart.shop/cart"));
    assertThat(module.endpointFor(TypeName.parse("shop/checkout")))
        .get()
        .extracting(e -> e.urlFor(TypeName.parse("shop/checkout")))
        .isEqualTo(URI.create("http://shop:8000/statefun/checkout"));
    assertThat(module.endpointFor(TypeName.parse("billing/invoice"))).isEmpty();
  }

  @Test
  void emptyDocumentsAreSkippedButCounted() {
    Module module = parse("---\n---\n# only a comment\n---\n" + SHOP_ENDPOINT + "---\n");
    assertThat(module.endpoints()).hasSize(1);

    assertThatThrownBy(() -> parse("---\n---\nkind: io.statefun.endpoints.v2/http\nspec: {}\n"))
        .hasMessageStartingWith(
            "module.yaml, document 2 (io.statefun.endpoints.v2/http), spec.functions: missing");
  }

  @Test
  void fileWithoutDocumentsIsAnEmptyModule() {
    assertThat(parse("# nothing yet\n").endpoints()).isEmpty();
  }

  @Test
  void unknownKindListsTheKnownKinds() {
    assertThatThrownBy(
            () -> parse(SHOP_ENDPOINT + "---\nkind: io.statefun.endpoint.v2/http\nspec: {}\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageStartingWith(
            "module.yaml, document 2, kind: unknown kind 'io.statefun.endpoint.v2/http' (did"
                + " you mean 'io.statefun.endpoints.v2/http'?); expected one of ")
        .hasMessageContaining("io.statefun.endpoints.v1/http")
        .hasMessageContaining("io.statefun.endpoints.v2/http");
  }

  @Test
  void legacyVersionFormatIsRejectedWithAPointerToKindAndSpec() {
    assertThatThrownBy(() -> parse("version: \"3.0\"\nmodule:\n  meta:\n    type: remote\n"))
        .hasMessageContaining("module.yaml, document 1, version: the legacy module format")
        .hasMessageContaining("is not supported")
        .hasMessageContaining("each with kind and spec");
  }

  @Test
  void documentMustBeAnObjectWithKindAndSpec() {
    assertThatThrownBy(() -> parse("- a\n- b\n"))
        .hasMessage(
            "module.yaml, document 1: the document is a list; expected an object with the keys"
                + " kind and spec");
    assertThatThrownBy(() -> parse("spec: {}\n"))
        .hasMessageStartingWith("module.yaml, document 1, kind: missing; expected a kind such as");
    assertThatThrownBy(() -> parse("kind: io.statefun.endpoints.v2/http\n"))
        .hasMessage(
            "module.yaml, document 1 (io.statefun.endpoints.v2/http), spec: missing; expected"
                + " an object");
    assertThatThrownBy(() -> parse("kind: io.statefun.endpoints.v2/http\nspec: [x]\n"))
        .hasMessageContaining("spec: got a list; expected an object");
    assertThatThrownBy(() -> parse("kind: io.statefun.endpoints.v2/http\nspecs: {}\n"))
        .hasMessageContaining(
            "document 1, specs: unknown key 'specs' (did you mean 'spec'?); expected one of"
                + " kind, spec");
  }

  @Test
  void sameNamespaceBoundTwiceNamesBothDocuments() {
    assertThatThrownBy(() -> parse(SHOP_ENDPOINT + "---\n---\n" + SHOP_ENDPOINT))
        .isInstanceOf(ModuleException.class)
        .hasMessage(
            "module.yaml, document 3 (io.statefun.endpoints.v2/http), spec.functions:"
                + " overlapping function patterns: shop/* is bound twice (first in document 1);"
                + " expected each function type and each namespace bound by one endpoint only");
  }

  @Test
  void sameExactTypeBoundTwiceIsRejected() {
    String cart =
        "kind: io.statefun.endpoints.v2/http\n"
            + "spec: {functions: shop/cart, urlPathTemplate: 'http://a/'}\n";
    assertThatThrownBy(() -> parse(cart + "---\n" + cart.replace("v2", "v1")))
        .hasMessageContaining("document 2 (io.statefun.endpoints.v1/http), spec.functions")
        .hasMessageContaining("shop/cart is bound twice (first in document 1)");
  }

  @Test
  void yamlSyntaxErrorNamesFileLineAndColumn() {
    assertThatThrownBy(() -> parse(SHOP_ENDPOINT + "---\nkind: [oops\nspec: {}\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageStartingWith("module.yaml, document 2, line ")
        .hasMessageContaining(", column ")
        .hasMessageContaining("invalid YAML: ");
    assertThatThrownBy(() -> parse("kind: a\n  spec: b: c\n"))
        .hasMessageStartingWith("module.yaml, document 1, line 2, column ");
  }

  @Test
  void loadsAPlainPathAndAFileUrl() throws Exception {
    Path file = dir.resolve("module.yaml");
    Files.writeString(file, SHOP_ENDPOINT);

    assertThat(ModuleLoader.load(file.toString()).endpoints()).hasSize(1);
    assertThat(ModuleLoader.load(file.toUri().toString()).source())
        .isEqualTo(file.toUri().toString());
  }

  @Test
  void errorsInAFileNameThatFile() throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "kind: io.statefun.endpoints.v2/http\nspec: {functions: x}\n");

    assertThatThrownBy(() -> ModuleLoader.load(file.toString()))
        .hasMessageStartingWith(file + ", document 1 (io.statefun.endpoints.v2/http)");
  }

  @Test
  void missingFileSaysWhereItLooked() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> ModuleLoader.load(missing.toString()))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("module file " + missing + " not found")
        .hasMessageContaining("there is no file at " + missing.toAbsolutePath());
  }

  @Test
  void unreadableFileIsReported() throws Exception {
    assertThatThrownBy(() -> ModuleLoader.load(dir.toString()))
        .hasMessageContaining("cannot be read")
        .hasMessageContaining("is a directory");

    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, "kind: caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> ModuleLoader.load(latin1.toString()))
        .hasMessageContaining("module file " + latin1 + " cannot be read: it is not UTF-8 text");
  }

  @Test
  void remoteLocationsAreNotSupported() {
    assertThatThrownBy(() -> ModuleLoader.load("https://example.com/module.yaml"))
        .hasMessageContaining("module location 'https://example.com/module.yaml'")
        .hasMessageContaining("expected classpath:NAME, a file: URL or a file path");
  }

  @Test
  void loadsEveryClasspathResourceOfTheName() throws Exception {
    assertThat(ModuleLoader.load("classpath:module-loader-test.yaml").endpoints())
        .extracting(e -> e.functions().toString())
        .containsExactly("loader-test/*");

    Files.writeString(
        dir.resolve("module-loader-test.yaml"),
        SHOP_ENDPOINT.replace("shop/*", "other-loader-test/*"));
    Module merged =
        ModuleLoader.load("classpath:module-loader-test.yaml", TestComponents.withBinders(dir));

    assertThat(merged.source()).isEqualTo("classpath:module-loader-test.yaml");
    assertThat(merged.endpoints())
        .extracting(e -> e.functions().toString())
        .containsExactlyInAnyOrder("loader-test/*", "other-loader-test/*");
  }

  @Test
  void overlapAcrossClasspathFilesNamesTheOtherFile() throws Exception {
    Files.writeString(
        dir.resolve("module-loader-test.yaml"), SHOP_ENDPOINT.replace("shop/*", "loader-test/*"));

    assertThatThrownBy(
            () ->
                ModuleLoader.load(
                    "classpath:module-loader-test.yaml", TestComponents.withBinders(dir)))
        .hasMessageContaining("overlapping function patterns: loader-test/* is bound twice")
        .hasMessageContaining("module-loader-test.yaml, document 1)");
  }

  @Test
  void missingClasspathResourceIsReported() {
    assertThatThrownBy(() -> ModuleLoader.load("classpath:no-such-module.yaml"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("module file classpath:no-such-module.yaml not found")
        .hasMessageContaining("no resource named 'no-such-module.yaml' on the classpath");
  }

  @Test
  void kindsFromServiceLoaderBecomeIngressesAndEgresses() throws Exception {
    ClassLoader loader = TestComponents.withBinders(dir, IngressBinder.class, EgressBinder.class);
    String yaml =
        """
        kind: test.keyflow/ingress
        spec: {id: shop/orders, topic: 123}
        ---
        kind: test.keyflow/egress
        spec: {id: shop/receipts}
        """;

    Module module = withContextClassLoader(loader, () -> ModuleLoader.parse("module.yaml", yaml));

    assertThat(module.ingresses())
        .containsExactly(new TestIngress(TypeName.parse("shop/orders"), "123"));
    assertThat(module.egress(TypeName.parse("shop/receipts")))
        .contains(new TestEgress(TypeName.parse("shop/receipts")));
    assertThat(module.egress(TypeName.parse("shop/other"))).isEmpty();
  }

  @Test
  void duplicateIngressOrEgressIdsAreRejected() throws Exception {
    ClassLoader loader = TestComponents.withBinders(dir, IngressBinder.class, EgressBinder.class);
    String egress = "kind: test.keyflow/egress\nspec: {id: shop/receipts}\n";
    String ingress = "kind: test.keyflow/ingress\nspec: {id: shop/orders, topic: t}\n";

    assertThatThrownBy(() -> ModuleLoader.parse("m.yaml", egress + "---\n" + egress, loader))
        .hasMessage(
            "m.yaml, document 2 (test.keyflow/egress), spec.id: duplicate egress id"
                + " shop/receipts (first in document 1); expected each egress id declared once");
    assertThatThrownBy(() -> ModuleLoader.parse("m.yaml", ingress + "---\n" + ingress, loader))
        .hasMessageContaining("spec.id: duplicate ingress id shop/orders (first in document 1)");
  }

  @Test
  void errorsFromServiceBindersCarryTheirLocation() throws Exception {
    ClassLoader loader = TestComponents.withBinders(dir, IngressBinder.class, SloppyBinder.class);

    assertThatThrownBy(
            () ->
                ModuleLoader.parse(
                    "m.yaml", "kind: test.keyflow/ingress\nspec: {id: shop, topic: t}\n", loader))
        .hasMessageStartingWith(
            "m.yaml, document 1 (test.keyflow/ingress), spec.id: 'shop' is not a typename");
    assertThatThrownBy(
            () -> ModuleLoader.parse("m.yaml", "kind: test.keyflow/sloppy\nspec: {}\n", loader))
        .hasMessageContaining("m.yaml, document 1 (test.keyflow/sloppy), spec: ")
        .hasMessageContaining("SloppyBinder failed: port must be positive");
  }

  @Test
  void twoBindersForOneKindAreReportedWhenTheKindIsUsed() throws Exception {
    ClassLoader loader =
        TestComponents.withBinders(dir, EgressBinder.class, RivalEgressBinder.class);

    assertThat(ModuleLoader.parse("m.yaml", SHOP_ENDPOINT, loader).endpoints()).hasSize(1);
    assertThatThrownBy(
            () ->
                ModuleLoader.parse("m.yaml", "kind: test.keyflow/egress\nspec: {id: a/b}", loader))
        .hasMessageContaining("kind test.keyflow/egress is claimed by two binders")
        .hasMessageContaining("RivalEgressBinder");
  }

  @Test
  void moduleSurvivesJavaSerialization() throws Exception {
    ClassLoader loader = TestComponents.withBinders(dir, EgressBinder.class);
    Module module =
        ModuleLoader.parse(
            "m.yaml",
            SHOP_ENDPOINT + "---\nkind: test.keyflow/egress\nspec: {id: shop/receipts}\n",
            loader);

    assertThat(Serialization.roundTrip(module)).isEqualTo(module);
  }

  private static <T> T withContextClassLoader(
      ClassLoader loader, java.util.function.Supplier<T> s) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return s.get();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
