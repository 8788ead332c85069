package io.keyflow.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TypeNameTest {

  @Test
  void parsesNamespaceAndName() {
    TypeName type =
        TypeName.parse("type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord");

    assertThat(type.namespace()).isEqualTo("type.googleapis.com");
    assertThat(type.name()).isEqualTo("io.statefun.sdk.egress.KafkaProducerRecord");
  }

  @Test
  void toStringIsTheParsedForm() {
    assertThat(TypeName.parse("shop/cart")).hasToString("shop/cart");
    assertThat(new TypeName("shop", "cart")).isEqualTo(TypeName.parse("shop/cart"));
  }

  @Test
  void parseRequiresExactlyOneSlashWithBothPartsNonEmpty() {
    for (String bad : new String[] {"shop", "shop/cart/x", "/cart", "shop/", "/", ""}) {
      assertThatThrownBy(() -> TypeName.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected namespace/name such as shop/cart");
    }
  }

  @Test
  void parseNamesTheBadValue() {
    assertThatThrownBy(() -> TypeName.parse("a/b/c")).hasMessageContaining("'a/b/c'");
  }

  @Test
  void constructorRejectsEmptyPartsAndSlashes() {
    assertThatThrownBy(() -> new TypeName("", "cart"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace is empty");
    assertThatThrownBy(() -> new TypeName("shop", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name is empty");
    assertThatThrownBy(() -> new TypeName("shop", "a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a/b'");
  }
}
