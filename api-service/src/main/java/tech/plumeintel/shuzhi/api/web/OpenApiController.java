package tech.plumeintel.shuzhi.api.web;

import java.io.IOException;
import java.util.HexFormat;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.DigestUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the hand-written OpenAPI description of the HTTP API ({@code openapi.yaml}, next to {@code
 * application.yml}). It lies outside {@code /api/}, so it needs no token: it grants nothing. {@code
 * OpenApiDocumentIT} keeps it in step with the controllers.
 */
@RestController
class OpenApiController {

  static final String PATH = "/openapi.yaml";

  /** RFC 9512; YAML is UTF-8 and the type has no charset parameter. */
  private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

  private final byte[] document;
  private final String etag;

  OpenApiController(@Value("classpath:openapi.yaml") Resource document) throws IOException {
    this.document = document.getContentAsByteArray();
    this.etag = "\"" + HexFormat.of().formatHex(DigestUtils.md5Digest(this.document)) + "\"";
  }

  /** Spring answers {@code If-None-Match} with 304; no-cache, as it changes with each deploy. */
  @GetMapping(PATH)
  ResponseEntity<byte[]> document() {
    return ResponseEntity.ok()
        .contentType(YAML)
        .eTag(etag)
        .cacheControl(CacheControl.noCache())
        .body(document);
  }
}
