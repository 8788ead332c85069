package io.keyflow.cli.address;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code keyflow inspect ns/type/id}: what the running job holds for one address. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what the running job holds for one function instance: its values, the request in"
          + " flight, the messages waiting, the delayed messages it sent and whether it is paused.",
      "The job answers itself, through the gateway's admin routes; the function is not called and"
          + " nothing changes."
    },
    footer = {
      "",
      "Examples:",
      "  KEYFLOW_ADMIN_TOKEN=... keyflow inspect shop/checkout/o-1001",
      "  keyflow inspect --token-file admin-token --json shop/cart/alice"
    })
public final class InspectCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "ADDRESS",
      converter = Address.Converter.class,
      description = "namespace/type/id, such as shop/checkout/o-1001")
  Address address;

  @Mixin AdminOptions admin = new AdminOptions();

  @Override
  public Integer call() {
    return AdminRun.run(admin, address, null, "");
  }
}
