package io.keyflow.module;

import java.util.List;

/**
 * A component that one {@code module.yaml} document declares but that takes part in the job as
 * several, such as a gateway that is both an ingress (its calls) and an egress (its replies). Each
 * part is checked for double bindings like a component of its own.
 */
public interface CompositeComponent extends Component {

  /** The endpoints, ingresses and egresses this component consists of. */
  List<Component> parts();
}
