package io.keyflow.warmup;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Runs, without a broker, the Kafka client code that a restored task's source and exactly-once sink
 * run first: parsing the consumer's, transactional producer's and admin client's configurations,
 * encoding the requests they send while they start (API versions, metadata, the transaction
 * coordinator, a producer id, the listing of open transactions) and decoding them again, decoding a
 * listing's response, and writing and reading a record batch. No client is created, so nothing
 * connects, starts a thread or registers metrics.
 */
final class KafkaClientWarmUp implements WarmUpStep {
  private static final String ID = "keyflow-warm-up";
  private static final String BROKER = "localhost:9092";
  private static final int ROUNDS = 200;

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public String run() {
    parseConfigurations();
    int requests = 0;
    for (int i = 0; i < ROUNDS; i++) {
      requests += encodeAndDecodeRequests();
      decodeListing();
      writeAndReadBatch();
    }
    return "client configurations parsed, "
        + requests
        + " requests encoded and decoded, record batches written and read";
  }

  private static void parseConfigurations() {
    ProducerConfig.configDef()
        .parse(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                BROKER,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                ID,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                "true",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class));
    ConsumerConfig.configDef()
        .parse(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                BROKER,
                ConsumerConfig.GROUP_ID_CONFIG,
                ID,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class));
    AdminClientConfig.configDef().parse(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER));
  }

  private static int encodeAndDecodeRequests() {
    List<AbstractRequest.Builder<?>> builders =
        List.of(
            new ApiVersionsRequest.Builder(),
            new MetadataRequest.Builder(List.of(ID), false),
            new FindCoordinatorRequest.Builder(
                new FindCoordinatorRequestData()
                    .setKeyType(FindCoordinatorRequest.CoordinatorType.TRANSACTION.id())
                    .setCoordinatorKeys(List.of(ID))),
            new InitProducerIdRequest.Builder(
                new InitProducerIdRequestData()
                    .setTransactionalId(ID)
                    .setTransactionTimeoutMs(60_000)),
            new ListTransactionsRequest.Builder(new ListTransactionsRequestData()));
    for (AbstractRequest.Builder<?> builder : builders) {
      AbstractRequest request = builder.build();
      request.serializeWithHeader(new RequestHeader(builder.apiKey(), request.version(), ID, 0));
      AbstractRequest.parseRequest(builder.apiKey(), request.version(), request.serialize());
    }
    return builders.size();
  }

  private static void decodeListing() {
    short version = ApiKeys.LIST_TRANSACTIONS.latestVersion();
    ListTransactionsResponseData listing =
        new ListTransactionsResponseData()
            .setTransactionStates(
                List.of(
                    new ListTransactionsResponseData.TransactionState()
                        .setTransactionalId(ID)
                        .setProducerId(1L)
                        .setTransactionState("Ongoing")));
    AbstractResponse.parseResponse(
        ApiKeys.LIST_TRANSACTIONS, MessageUtil.toByteBufferAccessor(listing, version), version);
  }

  private static void writeAndReadBatch() {
    byte[] value = ID.getBytes(StandardCharsets.UTF_8);
    MemoryRecords records =
        MemoryRecords.withRecords(
            Compression.NONE,
            new SimpleRecord(value, value),
            new SimpleRecord(value, value),
            new SimpleRecord(value, value));
    for (MutableRecordBatch batch : records.batches()) {
      batch.ensureValid();
      for (Record record : batch) {
        record.value();
      }
    }
  }
}
