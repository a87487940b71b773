package tech.plumeintel.shuzhi.fetch;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class FetchWorkerApplication {

  public static void main(String[] args) {
    SpringApplication.run(FetchWorkerApplication.class, args);
  }
}
