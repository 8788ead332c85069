package io.keyflow.cli.address;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A function instance as the commands take it: {@code namespace/type/id}. The id is everything
 * after the second slash, so it may hold slashes itself.
 */
record Address(String namespace, String type, String id) {

  /** Reads {@code namespace/type/id} for picocli. */
  public static final class Converter implements ITypeConverter<Address> {
    @Override
    public Address convert(String text) {
      int first = text.indexOf('/');
      int second = first < 0 ? -1 : text.indexOf('/', first + 1);
      if (first <= 0 || second <= first + 1 || second == text.length() - 1) {
        throw new TypeConversionException(
            "'"
                + text
                + "' is not an address; expected namespace/type/id such as"
                + " shop/checkout/o-1001");
      }
      return new Address(
          text.substring(0, first), text.substring(first + 1, second), text.substring(second + 1));
    }
  }

  @Override
  public String toString() {
    return namespace + "/" + type + "/" + id;
  }
}
