package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.module.ModuleLoader;
import org.junit.jupiter.api.Test;

class ModuleTopicsTest {

  @Test
  void namesWhatIngressesReadAndDeadLetterToWhatEgressesDeclareAndEndpointsDeadLetterTo() {
    var module =
        ModuleLoader.parse(
            "module.yaml",
            """
            kind: io.statefun.endpoints.v2/http
            spec:
              functions: shop/*
              urlPathTemplate: http://functions:8000/{function.name}
              failures:
                deadLetter:
                  egress: shop/out
                  topic: shop-dead-letters
            ---
            kind: io.statefun.kafka.v1/ingress
            spec:
              id: shop/in
              address: kafka:9092
              consumerGroupId: shop
              invalidRecords: dead-letter
              deadLetterTopic: orders-dlq
              topics:
                - topic: orders
                  valueType: shop.types/order
                  targets: [shop/order]
            ---
            kind: io.statefun.kafka.v1/egress
            spec:
              id: shop/out
              address: kafka:9092
              deliverySemantic:
                type: exactly-once
              topics: [receipts, shop-dead-letters]
            ---
            kind: io.statefun.kafka.v1/egress
            spec:
              id: shop/any
              address: kafka:9092
            """);

    assertThat(ModuleTopics.of(module))
        .containsExactly("orders", "orders-dlq", "receipts", "shop-dead-letters");
  }
}
