package tech.plumeintel.shuzhi.chat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ChatWorkerApplication {

  public static void main(String[] args) {
    // The JDK's HTTP client (llm/) keeps a read buffer of this size per connection until it is
    // full: at the default 16 KB, with tokens of a few hundred bytes, 2,000 slow streams pinned 32
    // MB
    // that every young collection copied (pauses of 300-500 ms in the bench; JFR old-object
    // samples). Read once, when the client is first used; an operator's -D setting wins. Tests set
    // it in the chat-worker's and system-tests' Surefire/Failsafe configuration.
    System.getProperties().putIfAbsent("jdk.httpclient.bufsize", "2048");
    // A cancel closes its upstream socket (llm/HttpAttempt#abort), but the JDK only half-closes a
    // socket registered with the client's selector (FIN at once) and releases it on the selector
    // thread's next cycle. With no other traffic that cycle can be this long away, 3 s by default
    // (1 s is the least the JDK takes): until then an upstream that notices a gone client only when
    // its write fails keeps generating. Same rules as above.
    System.getProperties().putIfAbsent("jdk.internal.httpclient.selectorTimeout", "1000");
    SpringApplication.run(ChatWorkerApplication.class, args);
  }
}
