package io.keyflow.warmupfixture;

/** Records in a system property when its static initialiser runs. */
public final class InitialisedOnFirstUse {
  public static final String PROPERTY = "keyflow.warm-up.test.initialised";

  static {
    System.setProperty(PROPERTY, "true");
  }

  private InitialisedOnFirstUse() {}
}
