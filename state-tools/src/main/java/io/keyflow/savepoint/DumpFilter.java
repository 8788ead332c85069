package io.keyflow.savepoint;

import io.keyflow.module.TypeName;
import java.io.Serializable;

/**
 * Which addresses a dump lists.
 *
 * @param function only this function type, or null for all
 * @param id only this id, or null for all
 */
public record DumpFilter(TypeName function, String id) implements Serializable {
  /** Every address. */
  public static final DumpFilter ALL = new DumpFilter(null, null);

  boolean acceptsId(String candidate) {
    return id == null || id.equals(candidate);
  }

  boolean acceptsFunction(TypeName candidate) {
    return function == null || function.equals(candidate);
  }
}
