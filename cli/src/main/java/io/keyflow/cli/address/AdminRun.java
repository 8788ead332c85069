package io.keyflow.cli.address;

import java.io.PrintStream;

/** Runs one admin request and prints its answer: text (or JSON) on stdout, a refusal on stderr. */
final class AdminRun {
  private AdminRun() {}

  /**
   * @param action null to inspect
   * @return the exit status: 0 done, 1 refused or failed
   */
  static int run(AdminOptions admin, Address address, String action, String query) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    try {
      AdminClient.Answer answer = new AdminClient(admin).send(address, action, query);
      if (answer.status() != 200) {
        err.printf(
            "keyflow: %s %s: %s (HTTP %d)%n",
            action == null ? "inspect" : action, address, answer.error(), answer.status());
        return 1;
      }
      out.print(
          admin.json ? answer.body() + System.lineSeparator() : AddressText.render(answer.body()));
      out.flush();
      return 0;
    } catch (AdminException e) {
      err.println("keyflow: " + e.getMessage());
      return 1;
    }
  }
}
