package io.keyflow.savepoint;

import io.keyflow.state.TypedBytesSerializer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.ttl.TtlStateFactory;
import org.apache.flink.runtime.state.ttl.TtlValue;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;

/**
 * Writes the values of one bootstrap line into the dispatcher's keyed state of its id, with the
 * state names and serializers the job itself uses: {@code namespace/type/value}, {@link
 * TypedBytesSerializer} with the typename and expiration, wrapped in Flink's time-to-live
 * serializer for expiring values (as the job's state with TTL enabled stores them).
 */
final class ValueWriter extends KeyedStateBootstrapFunction<String, String> {
  private static final long serialVersionUID = 1L;

  private final List<DeclaredValue> declared;
  private final boolean valuesOnly;
  private transient Map<String, ValueState<byte[]>> plain;
  private transient Map<String, ValueState<TtlValue<byte[]>>> expiring;

  ValueWriter(List<DeclaredValue> declared, boolean valuesOnly) {
    this.declared = List.copyOf(declared);
    this.valuesOnly = valuesOnly;
  }

  @Override
  public void open(OpenContext context) {
    plain = new HashMap<>();
    expiring = new HashMap<>();
    for (DeclaredValue value : declared) {
      TypedBytesSerializer bytes = new TypedBytesSerializer(value.typename(), value.expiration());
      if (value.ttl()) {
        expiring.put(
            value.stateName(),
            getRuntimeContext()
                .getState(
                    new ValueStateDescriptor<>(
                        value.stateName(),
                        new TtlStateFactory.TtlSerializer<>(LongSerializer.INSTANCE, bytes))));
      } else {
        plain.put(
            value.stateName(),
            getRuntimeContext().getState(new ValueStateDescriptor<>(value.stateName(), bytes)));
      }
    }
  }

  @Override
  public void processElement(String line, Context context) throws Exception {
    BootstrapLine parsed = BootstrapLine.parse(line, valuesOnly, System.currentTimeMillis());
    for (BootstrapLine.Value value : parsed.values()) {
      String state = value.declared().stateName();
      if (value.declared().ttl()) {
        expiring.get(state).update(new TtlValue<>(value.bytes(), value.touchedAt()));
      } else {
        plain.get(state).update(value.bytes());
      }
    }
  }
}
