package tech.plumeintel.shuzhi.platform;

import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Which mode a service runs in, in {@code /actuator/info} ({@code "mode"}) and, for try-out mode,
 * as a banner in the log once it is ready: a try-out stack must not be mistaken for production.
 */
final class RunMode implements InfoContributor, ApplicationListener<ApplicationReadyEvent> {

  static final String TRY_OUT_BANNER =
      """

      ********************************************************************************
        TRY-OUT MODE: offline stand-ins (any login code works, answers come from the
        book's metadata) and a generated secret. Not for users. For production, copy
        .env.example to .env, fill it in and run docker compose up again.
      ********************************************************************************""";

  private static final Logger log = LoggerFactory.getLogger(RunMode.class);

  private final String mode;

  RunMode(TryOutProperties tryOut, Environment environment) {
    if (tryOut.enabled()) {
      mode = "try-out";
    } else if (Arrays.asList(environment.getActiveProfiles()).contains("local")) {
      mode = "local";
    } else {
      mode = "production";
    }
  }

  String mode() {
    return mode;
  }

  @Override
  public void contribute(Info.Builder builder) {
    builder.withDetail("mode", mode);
    if ("try-out".equals(mode)) {
      builder.withDetail(
          "try-out",
          Map.of(
              "offline-stand-ins", true,
              "generated-secret", true,
              "not-for-production", "copy .env.example to .env to switch try-out mode off"));
    }
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    if ("try-out".equals(mode)) {
      log.warn(TRY_OUT_BANNER);
    }
  }
}
