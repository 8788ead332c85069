package io.keyflow.testkit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a Keyflow application for a test class: an embedded Kafka broker, the class's functions (its
 * {@link TestFunctions} field), and the module's job on a Flink MiniCluster with RocksDB and
 * checkpoints. The module's Kafka addresses, function URLs and gateway listen address are rewritten
 * to the test's. Test methods (and {@code @BeforeAll}/{@code @BeforeEach} methods) take a {@link
 * KeyflowEnvironment} parameter to drive it. Everything is started once per class and stopped after
 * its last test.
 *
 * <pre>{@code
 * @KeyflowTest(module = "module.yaml")
 * class GreeterIT {
 *   @TestFunctions static final StatefulFunctions FUNCTIONS = Greeter.functions();
 *
 *   @Test
 *   void greets(KeyflowEnvironment keyflow) {
 *     keyflow.send("names", "ann", "Ann");
 *     keyflow.topic("greetings").await("a greeting for ann", r -> r.key().equals("ann"));
 *   }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(KeyflowExtension.class)
public @interface KeyflowTest {
  /**
   * The module: a path (relative to the working directory, which Maven sets to the project's
   * folder) or {@code classpath:NAME} for a resource.
   */
  String module() default "module.yaml";

  /** The job's parallelism (and the MiniCluster's task slots). */
  int parallelism() default 2;

  /**
   * Milliseconds between checkpoints. Exactly-once egress records become visible at a checkpoint,
   * so this bounds how soon a test sees output.
   */
  long checkpointIntervalMillis() default 500;

  /**
   * Delayed messages arrive this many times sooner than the function asked: 1000 turns a 2-minute
   * timeout into 120 ms. Order among delayed messages is kept. Only for functions the kit serves
   * ({@link TestFunctions} holding functions or a URL); 1 leaves delays as they are.
   */
  long delaySpeedup() default 1;

  /** Milliseconds each await waits before it fails. */
  long awaitTimeoutMillis() default 60_000;

  /**
   * Milliseconds the environment may take to start (the MiniCluster, then every task of the job
   * running) before the test class fails. Generous, because a shared build machine can be slow to
   * start a JVM's first job; a start that takes this long is a broken setup, not a slow one.
   */
  long startupTimeoutMillis() default 180_000;
}
