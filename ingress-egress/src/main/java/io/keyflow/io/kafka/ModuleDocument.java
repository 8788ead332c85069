package io.keyflow.io.kafka;

import java.io.Serializable;

/**
 * The module.yaml document that declares a Kafka ingress or egress, named by errors about its
 * topics.
 *
 * @param file the file's name or URL, as module.yaml errors name it
 * @param document 1-based, as module.yaml errors count documents
 */
public record ModuleDocument(String file, int document) implements Serializable {}
