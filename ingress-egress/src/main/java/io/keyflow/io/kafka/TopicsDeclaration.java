package io.keyflow.io.kafka;

import java.io.Serializable;

/**
 * Where module.yaml declares the topics a sink writes to, and how to put right a topic that does
 * not exist other than by creating it: what an error about those topics names.
 *
 * @param file the file's name or URL, as module.yaml errors name it
 * @param document 1-based, as module.yaml errors count documents
 * @param kind the document's kind, such as {@code io.statefun.kafka.v1/egress}
 * @param field the path to the field that names the topics, such as {@code spec.topics}
 * @param writer what writes to the topics, such as {@code egress shop/out}
 * @param verb how the writer relates to them in a sentence, such as {@code declares}
 * @param otherFix the fixes other than creating the topics, such as {@code topics removed from this
 *     egress}
 */
public record TopicsDeclaration(
    String file,
    int document,
    String kind,
    String field,
    String writer,
    String verb,
    String otherFix)
    implements Serializable {}
