package io.keyflow.state;

import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;

/** Creates the keyed state that backs one declared value. */
@FunctionalInterface
public interface ValueStateBinder {
  /**
   * @param stateName the Flink state name, stable across restarts
   * @param serializer serializer that records the value's typename
   * @param ttl the expiration, or {@code null} for values that never expire
   */
  ValueState<byte[]> bind(String stateName, TypedBytesSerializer serializer, StateTtlConfig ttl)
      throws Exception;
}
