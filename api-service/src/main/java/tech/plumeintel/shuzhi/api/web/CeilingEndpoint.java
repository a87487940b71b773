package tech.plumeintel.shuzhi.api.web;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The benchmark's ceiling: a request that passes every filter a book lookup passes (request id,
 * limits, the access token) and then does nothing, so the bench can state lookups as a share of
 * what this instance can answer at all. Off unless {@code shuzhi.bench.ceiling-endpoint=true}: it
 * is not part of the API.
 */
@RestController
@ConditionalOnBooleanProperty("shuzhi.bench.ceiling-endpoint")
class CeilingEndpoint {

  private static final byte[] BODY = "{\"ok\":true}".getBytes();

  @GetMapping(value = "/api/bench/ceiling/", produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<byte[]> ceiling() {
    return ResponseEntity.ok(BODY);
  }
}
