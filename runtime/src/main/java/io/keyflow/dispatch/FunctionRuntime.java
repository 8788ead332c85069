package io.keyflow.dispatch;

import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.TypeName;
import io.keyflow.remote.RemoteFunctionClient;
import io.keyflow.state.FunctionValues;
import java.net.URI;

/**
 * What a dispatcher subtask keeps per function type: where to call it, its values and its metrics.
 */
record FunctionRuntime(
    TypeName type,
    HttpEndpoint endpoint,
    URI url,
    RemoteFunctionClient client,
    FunctionValues values,
    FunctionTypeMetrics metrics) {

  int maxBatch() {
    return endpoint.batchLimited() ? endpoint.maxNumBatchRequests() : 0;
  }
}
