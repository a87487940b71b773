package tech.plumeintel.shuzhi.platform;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * One request id from the HTTP request through Kafka into the workers' logs: the API puts it in the
 * logging context ({@value #MDC_KEY}), the producer copies it into a record header, and the
 * workers' listeners put it back into their logging context while they handle the record.
 */
public final class RequestIds {

  public static final String MDC_KEY = "request_id";
  public static final String HEADER = "x-request-id";

  private RequestIds() {}

  /** Adds the current request id to every record a service produces. */
  public static final class OnProducedRecords implements ProducerInterceptor<Object, Object> {
    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
      var id = MDC.get(MDC_KEY);
      if (id != null && record.headers().lastHeader(HEADER) == null) {
        record.headers().add(HEADER, id.getBytes(StandardCharsets.UTF_8));
      }
      return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, @Nullable Exception exception) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  /** Puts a consumed record's request id into the logging context while it is handled. */
  public static final class OnConsumedRecords implements RecordInterceptor<Object, Object> {
    @Override
    public ConsumerRecord<Object, Object> intercept(
        ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
      var header = record.headers().lastHeader(HEADER);
      if (header != null) {
        MDC.put(MDC_KEY, new String(header.value(), StandardCharsets.UTF_8));
      }
      return record;
    }

    @Override
    public void afterRecord(
        ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
      MDC.remove(MDC_KEY);
    }
  }
}
