package io.keyflow.io.gateway;

import io.keyflow.module.Component;
import io.keyflow.module.CompositeComponent;
import java.util.List;

/**
 * What a gateway document adds to the job: the ingress of its calls and the egress of replies.
 *
 * @param spec the gateway
 * @param file the module.yaml file that declares it, as module.yaml errors name it
 * @param document its document in the file, 1-based
 */
record GatewayComponents(GatewaySpec spec, String file, int document)
    implements CompositeComponent {

  @Override
  public List<Component> parts() {
    return List.of(new GatewayIngress(spec, file, document), new ReplyEgress(spec, file, document));
  }
}
