package io.keyflow.cli.address;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyflow address pause|resume|skip|cancel-delay|delete-state ns/type/id}: acts on one
 * address of the running job through the gateway's admin routes.
 */
@Command(
    name = "address",
    mixinStandardHelpOptions = true,
    description = {
      "Acts on one function instance of the running job through the gateway's admin routes. Each"
          + " action is applied once, in order with the address's messages, logged by the job with"
          + " who asked, and answered with the address as it is afterwards."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow address cancel-delay --token approval-timeout-o-1001 shop/checkout/o-1001",
      "  keyflow address pause shop/cart/alice",
      "  keyflow address skip shop/cart/alice",
      "  keyflow address skip --waiting shop/cart/alice",
      "  keyflow address resume shop/cart/alice"
    })
public final class AddressCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description =
          "New messages for the address wait in its backlog, in order, until resumed; a request"
              + " in flight completes. Survives restarts.")
  int pause(
      @Mixin AdminOptions admin,
      @Parameters(paramLabel = "ADDRESS", converter = Address.Converter.class) Address address) {
    return AdminRun.run(admin, address, "pause", "");
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Sends the waiting messages on, in order, and ends the pause.")
  int resume(
      @Mixin AdminOptions admin,
      @Parameters(paramLabel = "ADDRESS", converter = Address.Converter.class) Address address) {
    return AdminRun.run(admin, address, "resume", "");
  }

  @Command(
      name = "skip",
      mixinStandardHelpOptions = true,
      description =
          "Writes the request in flight (or, with none, the oldest waiting message) to the"
              + " endpoint's dead-letter topic instead of delivering it; the rest go on.")
  int skip(
      @Mixin AdminOptions admin,
      @Option(
              names = "--waiting",
              description =
                  "Skip the oldest waiting message even while a request is in flight; the request"
                      + " in flight goes on.")
          boolean waiting,
      @Parameters(paramLabel = "ADDRESS", converter = Address.Converter.class) Address address) {
    return AdminRun.run(admin, address, "skip", waiting ? "waiting=true" : "");
  }

  @Command(
      name = "cancel-delay",
      mixinStandardHelpOptions = true,
      description = "Drops a delayed message the address sent, by its cancellation token.")
  int cancelDelay(
      @Mixin AdminOptions admin,
      @Option(
              names = "--token",
              required = true,
              paramLabel = "TOKEN",
              description = "The delayed message's cancellation token, as inspect shows it.")
          String token,
      @Parameters(paramLabel = "ADDRESS", converter = Address.Converter.class) Address address) {
    return AdminRun.run(admin, address, "cancel-delay", "token=" + AdminClient.encode(token));
  }

  @Command(
      name = "delete-state",
      mixinStandardHelpOptions = true,
      description =
          "Clears every value the function declared for the address. Refused while a request is"
              + " in flight: pause first.")
  int deleteState(
      @Mixin AdminOptions admin,
      @Parameters(paramLabel = "ADDRESS", converter = Address.Converter.class) Address address) {
    return AdminRun.run(admin, address, "delete-state", "");
  }
}
