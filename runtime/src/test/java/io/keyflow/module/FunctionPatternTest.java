package io.keyflow.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FunctionPatternTest {

  private static final TypeName CART = TypeName.parse("shop/cart");

  @Test
  void exactPatternMatchesOnlyItsType() {
    FunctionPattern pattern = FunctionPattern.parse("shop/cart");

    assertThat(pattern).isEqualTo(new FunctionPattern.Exact(CART));
    assertThat(pattern.matches(CART)).isTrue();
    assertThat(pattern.matches(TypeName.parse("shop/checkout"))).isFalse();
    assertThat(pattern.matches(TypeName.parse("other/cart"))).isFalse();
  }

  @Test
  void namespacePatternMatchesEveryTypeOfTheNamespace() {
    FunctionPattern pattern = FunctionPattern.parse("shop/*");

    assertThat(pattern).isEqualTo(new FunctionPattern.Namespace("shop"));
    assertThat(pattern.matches(CART)).isTrue();
    assertThat(pattern.matches(TypeName.parse("shop/checkout"))).isTrue();
    assertThat(pattern.matches(TypeName.parse("shopping/cart"))).isFalse();
  }

  @Test
  void toStringGivesBackTheYamlForm() {
    assertThat(FunctionPattern.parse("shop/cart")).hasToString("shop/cart");
    assertThat(FunctionPattern.parse("shop/*")).hasToString("shop/*");
  }

  @Test
  void rejectsWildcardsOutsideTheWholeName() {
    assertThatThrownBy(() -> FunctionPattern.parse("*/cart"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'*/cart'")
        .hasMessageContaining("namespace cannot contain a wildcard")
        .hasMessageContaining("such as shop/cart or shop/*");
    assertThatThrownBy(() -> FunctionPattern.parse("shop/ca*"))
        .hasMessageContaining("'shop/ca*'")
        .hasMessageContaining("wildcard must be the whole name, as in shop/*");
    assertThatThrownBy(() -> FunctionPattern.parse("*")).hasMessageContaining("exactly one '/'");
    assertThatThrownBy(() -> FunctionPattern.parse("*/*"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsMissingOrExtraSlashesAndEmptyParts() {
    for (String bad : new String[] {"cart", "shop/cart/x", "/cart", "shop/", ""}) {
      assertThatThrownBy(() -> FunctionPattern.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected namespace/name for one function type");
    }
  }

  @Test
  void exactPatternCannotHoldAWildcardType() {
    assertThatThrownBy(() -> new FunctionPattern.Exact(new TypeName("shop", "*")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
