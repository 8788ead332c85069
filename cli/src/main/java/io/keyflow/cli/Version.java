package io.keyflow.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest, when there is one. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Keyflow.class.getPackage().getImplementationVersion();
    return new String[] {"keyflow " + (version == null ? "(development build)" : version)};
  }
}
