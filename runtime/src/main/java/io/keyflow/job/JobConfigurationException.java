package io.keyflow.job;

/** The Flink configuration would break Keyflow's guarantees; the job refuses to start. */
public final class JobConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  JobConfigurationException(String message) {
    super(message);
  }
}
