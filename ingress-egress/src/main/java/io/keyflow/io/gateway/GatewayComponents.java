package io.keyflow.io.gateway;

import io.keyflow.module.Component;
import io.keyflow.module.CompositeComponent;
import java.util.List;

/** What a gateway document adds to the job: the ingress of its calls and the egress of replies. */
record GatewayComponents(GatewaySpec spec) implements CompositeComponent {

  @Override
  public List<Component> parts() {
    return List.of(new GatewayIngress(spec), new ReplyEgress(spec));
  }
}
