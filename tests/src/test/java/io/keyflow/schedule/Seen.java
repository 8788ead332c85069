package io.keyflow.schedule;

/**
 * One record a {@link ScheduleFunctions} function committed: a fire it received (or its deletion of
 * a schedule), as {@code <what> <address id> <fire time> <missed> <received at> <schedule id>}.
 */
record Seen(
    String what, String address, long fireTime, long missed, long receivedAt, String schedule) {
  static Seen parse(String value) {
    String[] f = value.split(" ");
    return new Seen(
        f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), f[5]);
  }

  long lateness() {
    return receivedAt - fireTime;
  }
}
