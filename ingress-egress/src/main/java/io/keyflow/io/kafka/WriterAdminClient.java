package io.keyflow.io.kafka;

import java.lang.reflect.Field;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the admin client that Flink's exactly-once Kafka writer makes to list lingering
 * transactions when transactions are pooled, and never closes itself (connector 5.0: its {@code
 * adminClient} field is created on first use and left open by {@code close()}). Left alone, every
 * writer that ever ran leaves a thread and a connection behind in its TaskManager, so that each
 * restart adds one per subtask, for the life of the process.
 *
 * <p>The field is private to the connector, so it is read reflectively; a writer without it (a
 * connector that closes its own, or never makes one) is left as it is.
 */
final class WriterAdminClient {
  private static final Logger LOG = LoggerFactory.getLogger(WriterAdminClient.class);

  /** The connector's name for the field. */
  static final String FIELD = "adminClient";

  private WriterAdminClient() {}

  /** Closes the admin client {@code writer} holds, if it made one, and forgets it. */
  static void close(Object writer) {
    for (Class<?> type = writer.getClass(); type != null; type = type.getSuperclass()) {
      Field field;
      try {
        field = type.getDeclaredField(FIELD);
      } catch (NoSuchFieldException e) {
        continue;
      }
      if (!Admin.class.isAssignableFrom(field.getType())) {
        return;
      }
      try {
        field.setAccessible(true);
        Admin admin = (Admin) field.get(writer);
        if (admin != null) {
          field.set(writer, null);
          admin.close(Duration.ZERO);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.debug("Could not close the admin client of Kafka writer {}", writer.getClass(), e);
      }
      return;
    }
  }
}
