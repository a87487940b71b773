package tech.plumeintel.shuzhi.local;

/** Kafka's own broker, {@code kafka.Kafka}, in a child JVM that ends when the launcher does. */
public final class KafkaBrokerMain {

  private KafkaBrokerMain() {}

  public static void main(String[] args) {
    ParentWatch.startFromEnvironment();
    kafka.Kafka.main(args);
  }
}
