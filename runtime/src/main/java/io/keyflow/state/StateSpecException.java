package io.keyflow.state;

import io.keyflow.module.TypeName;

/** A function declared or mutated a value in a way that contradicts what is registered. */
public final class StateSpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private StateSpecException(String message, Throwable cause) {
    super(message, cause);
  }

  static StateSpecException typenameChanged(
      TypeName function, String state, String registered, String declared) {
    return new StateSpecException(
        "function "
            + function
            + " declares value '"
            + state
            + "' with type "
            + declared
            + " but it is registered with type "
            + registered
            + "; a value's type cannot change while the job runs. Restart the job to"
            + " re-register (stored values of the old type will be refused) or use a new value"
            + " name.",
        null);
  }

  static StateSpecException restoredWithOtherType(
      TypeName function, String state, String declared, Exception cause) {
    return new StateSpecException(
        "function "
            + function
            + " declares value '"
            + state
            + "' with type "
            + declared
            + ", but the state restored from the checkpoint or savepoint holds it under"
            + " another type. Declare the value with its previous type, or use a new value name.",
        cause);
  }

  static StateSpecException modifyTypeMismatch(
      TypeName function, String id, String state, String registered, String sent) {
    return new StateSpecException(
        "function "
            + function
            + " (id "
            + id
            + ") modified value '"
            + state
            + "' with type "
            + sent
            + " but the value is registered with type "
            + registered,
        null);
  }

  static StateSpecException unknownValue(TypeName function, String id, String state) {
    return new StateSpecException(
        "function "
            + function
            + " (id "
            + id
            + ") mutated value '"
            + state
            + "', which it never declared; declare it in the function's value specs",
        null);
  }

  static StateSpecException badSpec(TypeName function, String state, String problem) {
    return new StateSpecException(
        "function " + function + " declares value '" + state + "': " + problem, null);
  }
}
