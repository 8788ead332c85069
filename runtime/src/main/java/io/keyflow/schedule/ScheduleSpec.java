package io.keyflow.schedule;

import io.keyflow.module.ScheduleComponent;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.internal.ScheduleDefinition;
import java.util.Objects;

/**
 * A schedule: its id and its definition, as {@link ScheduleBinder} read it from {@code module.yaml}
 * or from a {@code keyflow/schedule.set} message. The definition is the record Keyflow keeps in
 * keyed state, so a static schedule is compared with what a savepoint holds by equality.
 *
 * @param id the schedule id; also the id of its built-in address {@code keyflow/schedules/<id>}
 * @param definition what it sends, to whom and when; already validated
 */
public record ScheduleSpec(String id, ScheduleDefinition definition) implements ScheduleComponent {

  public ScheduleSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(definition, "definition");
  }

  /** The function type the schedule fires at. */
  public TypeName targetType() {
    return new TypeName(definition.getTargetNamespace(), definition.getTargetType());
  }
}
