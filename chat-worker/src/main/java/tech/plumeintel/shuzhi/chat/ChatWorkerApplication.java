package tech.plumeintel.shuzhi.chat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ChatWorkerApplication {

  public static void main(String[] args) {
    SpringApplication.run(ChatWorkerApplication.class, args);
  }
}
