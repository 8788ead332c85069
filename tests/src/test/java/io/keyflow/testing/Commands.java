package io.keyflow.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.message.EgressMessageBuilder;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;

/**
 * Random trees of commands for instances of one interpreter function, and the interpreter.
 *
 * <p>A message carries a sequence of commands, separated by commas:
 *
 * <ul>
 *   <li>{@code I}: increment this instance's count;
 *   <li>{@code S<n>(...)}: send the inner sequence to instance n;
 *   <li>{@code A<n>:<ms>(...)}: the same, after a delay of ms milliseconds;
 *   <li>{@code C<n>(...)}: send it after a delay with a cancellation token, then cancel it at once,
 *       so it must never arrive;
 *   <li>{@code D<n>(...)}: schedule it twice with the same token: the second replaces the first, so
 *       it arrives once;
 *   <li>{@code X}: cancel a token that was never used, which must change nothing;
 *   <li>{@code E}: send a record to the egress;
 *   <li>{@code N}: nothing.
 * </ul>
 *
 * <p>Every message also reports {@code id=count}. Trees are a function of a seed and an index, so a
 * replay after a restore regenerates the same ones and the expected counts follow from the trees
 * alone.
 */
public final class Commands implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  public static final String NAMESPACE = "cmd";
  public static final String NAME = "fn";
  private static final TypeName TYPE = TypeName.typeNameOf(NAMESPACE, NAME);

  private final int instances;
  private final int maxDepth;
  private final int maxDelayMillis;

  public Commands(int instances, int maxDepth, int maxDelayMillis) {
    this.instances = instances;
    this.maxDepth = maxDepth;
    this.maxDelayMillis = maxDelayMillis;
  }

  /** Instance that receives tree {@code index} from the ingress. */
  public int root(long seed, long index) {
    return new Random(seed * 1_000_003L + index).nextInt(instances);
  }

  /** Tree {@code index}. */
  public String tree(long seed, long index) {
    Random random = new Random(seed * 1_000_003L + index);
    random.nextInt(instances);
    return sequence(random, 0);
  }

  private String sequence(Random random, int depth) {
    int n = 1 + random.nextInt(3);
    List<String> commands = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      commands.add(command(random, depth));
    }
    return String.join(",", commands);
  }

  private String command(Random random, int depth) {
    double p = random.nextDouble();
    if (depth < maxDepth) {
      if (p < 0.30) {
        return "S" + random.nextInt(instances) + "(" + sequence(random, depth + 1) + ")";
      }
      if (p < 0.36) {
        return "A"
            + random.nextInt(instances)
            + ":"
            + (1 + random.nextInt(maxDelayMillis))
            + "("
            + sequence(random, depth + 1)
            + ")";
      }
      if (p < 0.42) {
        return "C" + random.nextInt(instances) + "(" + sequence(random, depth + 1) + ")";
      }
      if (p < 0.45) {
        return "D" + random.nextInt(instances) + "(" + sequence(random, depth + 1) + ")";
      }
    }
    if (p < 0.85) {
      return "I";
    }
    if (p < 0.88) {
      return "X";
    }
    return p < 0.92 ? "E" : "N";
  }

  /** The ingress message carrying tree {@code index} to its root instance. */
  public io.keyflow.protocol.internal.Envelope message(long seed, long index) {
    return TestFunctions.message(NAMESPACE, NAME, id(root(seed, index)), tree(seed, index));
  }

  /** The count every instance reaches once trees {@code 0 .. trees-1} are applied exactly once. */
  public Map<String, Long> expectedCounts(long seed, long trees) {
    Map<String, Long> counts = new java.util.HashMap<>();
    for (long i = 0; i < trees; i++) {
      expect(tree(seed, i), root(seed, i), counts);
    }
    return counts;
  }

  /** Adds the increments that {@code tree}, delivered to {@code instance}, causes. */
  public static void expect(String tree, int instance, Map<String, Long> counts) {
    for (Command command : parse(tree)) {
      switch (command.op) {
        case 'I' -> counts.merge(id(instance), 1L, Long::sum);
        case 'S', 'A', 'D' -> expect(command.inner, command.target, counts);
        default -> {}
      }
    }
  }

  public static String id(int instance) {
    return "i" + instance;
  }

  /** The interpreter, as a StateFun Java SDK function. */
  public static StatefulFunctionSpec interpreter() {
    ValueSpec<Long> count = ValueSpec.named("count").withLongType();
    org.apache.flink.statefun.sdk.java.TypeName out = TestFunctions.OUT;
    return StatefulFunctionSpec.builder(TYPE)
        .withValueSpec(count)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  long value = context.storage().get(count).orElse(0L);
                  for (Command command : parse(message.asUtf8String())) {
                    switch (command.op) {
                      case 'I' -> value++;
                      case 'S' -> context.send(to(command));
                      case 'A' -> context.sendAfter(Duration.ofMillis(command.delay), to(command));
                      case 'C' -> {
                        String token = context.self().id() + "/" + UUID.randomUUID();
                        context.sendAfter(Duration.ofMillis(500), token, to(command));
                        context.cancelDelayedMessage(token);
                      }
                      case 'D' -> {
                        String token = context.self().id() + "/" + UUID.randomUUID();
                        context.sendAfter(Duration.ofMillis(15), token, to(command));
                        context.sendAfter(Duration.ofMillis(5), token, to(command));
                      }
                      case 'X' -> context.cancelDelayedMessage("never-" + UUID.randomUUID());
                      case 'E' ->
                          context.send(
                              EgressMessageBuilder.forEgress(out)
                                  .withValue(context.self().id() + "=" + value)
                                  .build());
                      default -> {}
                    }
                  }
                  context.storage().set(count, value);
                  context.send(
                      EgressMessageBuilder.forEgress(out)
                          .withValue(context.self().id() + "=" + value)
                          .build());
                  return context.done();
                })
        .build();
  }

  private static Message to(Command command) {
    return MessageBuilder.forAddress(TYPE, id(command.target)).withValue(command.inner).build();
  }

  private record Command(char op, int target, long delay, String inner) {}

  private static List<Command> parse(String sequence) {
    List<Command> commands = new ArrayList<>();
    int i = 0;
    while (i < sequence.length()) {
      char op = sequence.charAt(i);
      if (op == 'S' || op == 'A' || op == 'C' || op == 'D') {
        int open = sequence.indexOf('(', i);
        String head = sequence.substring(i + 1, open);
        int colon = head.indexOf(':');
        int target = Integer.parseInt(colon < 0 ? head : head.substring(0, colon));
        long delay = colon < 0 ? 0 : Long.parseLong(head.substring(colon + 1));
        int depth = 0;
        int close = open;
        for (; close < sequence.length(); close++) {
          char c = sequence.charAt(close);
          if (c == '(') {
            depth++;
          } else if (c == ')' && --depth == 0) {
            break;
          }
        }
        commands.add(new Command(op, target, delay, sequence.substring(open + 1, close)));
        i = close + 1;
      } else {
        commands.add(new Command(op, -1, 0, ""));
        i++;
      }
      if (i < sequence.length() && sequence.charAt(i) == ',') {
        i++;
      }
    }
    return commands;
  }
}
