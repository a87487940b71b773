package tech.plumeintel.shuzhi.common.book;

import java.util.Arrays;
import java.util.Optional;

/**
 * The image types the {@value Book#COVERS_BUCKET} bucket may hold, told by their first bytes: only
 * raster formats, which a browser never runs. An SVG or HTML "cover" could carry script, and covers
 * are served without a token (signed URLs); a source's {@code Content-Type} is not evidence, since
 * it is the source's to choose. The fetch-worker stores nothing else, and the API serves nothing
 * else.
 */
public enum CoverType {
  JPEG("image/jpeg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}),
  PNG("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}),
  GIF("image/gif", new byte[] {'G', 'I', 'F', '8'}),
  WEBP("image/webp", new byte[] {'R', 'I', 'F', 'F'});

  private final String mediaType;
  private final byte[] magic;

  CoverType(String mediaType, byte[] magic) {
    this.mediaType = mediaType;
    this.magic = magic;
  }

  /** The media type to store and serve it as. */
  public String mediaType() {
    return mediaType;
  }

  /**
   * @param head the image, or at least its first 12 bytes
   * @return the type these bytes begin, or empty for anything else
   */
  public static Optional<CoverType> of(byte[] head) {
    for (var type : values()) {
      if (type.begins(head)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  private boolean begins(byte[] head) {
    if (head.length < magic.length
        || !Arrays.equals(head, 0, magic.length, magic, 0, magic.length)) {
      return false;
    }
    return switch (this) {
      // "GIF87a" or "GIF89a"
      case GIF -> head.length >= 6 && (head[4] == '7' || head[4] == '9') && head[5] == 'a';
      // "RIFF", a size, then "WEBP": RIFF alone is also WAV and AVI.
      case WEBP ->
          head.length >= 12
              && head[8] == 'W'
              && head[9] == 'E'
              && head[10] == 'B'
              && head[11] == 'P';
      default -> true;
    };
  }
}
