/*
 * Server-sent events parsed from raw bytes, as wx.request's onChunkReceived delivers them: a chunk
 * may end anywhere, inside an event, a line, a multi-byte UTF-8 character or a \uXXXX escape.
 * Lines are cut at the byte level (LF and CR never occur inside a UTF-8 sequence) and decoded only
 * once whole, so nothing is decoded half; JSON is parsed only once its event is whole.
 * No TextDecoder: the mini-program runtime has none. Follows the WHATWG event-stream rules.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.ShuzhiSse = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /** Decodes whole UTF-8 bytes; malformed sequences become U+FFFD. */
  function utf8Decode(bytes, start, end) {
    var out = '';
    var i = start || 0;
    var stop = end === undefined ? bytes.length : end;
    while (i < stop) {
      var b = bytes[i++];
      var cp;
      if (b < 0x80) cp = b;
      else if (b >= 0xc2 && b < 0xe0 && i < stop) cp = ((b & 0x1f) << 6) | (bytes[i++] & 0x3f);
      else if (b >= 0xe0 && b < 0xf0 && i + 1 < stop) {
        cp = ((b & 0x0f) << 12) | ((bytes[i] & 0x3f) << 6) | (bytes[i + 1] & 0x3f);
        i += 2;
      } else if (b >= 0xf0 && b < 0xf5 && i + 2 < stop) {
        cp = ((b & 0x07) << 18) | ((bytes[i] & 0x3f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
        i += 3;
      } else cp = 0xfffd;
      if (cp > 0xffff) {
        cp -= 0x10000;
        out += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else out += String.fromCharCode(cp);
    }
    return out;
  }

  /** Encodes a string as UTF-8 bytes (for tests and request bodies). */
  function utf8Encode(text) {
    var bytes = [];
    for (var i = 0; i < text.length; i++) {
      var cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      }
      if (cp < 0x80) bytes.push(cp);
      else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
      else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
      else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    }
    return new Uint8Array(bytes);
  }

  function toBytes(chunk) {
    if (chunk instanceof Uint8Array) return chunk;
    if (typeof chunk === 'string') return utf8Encode(chunk);
    return new Uint8Array(chunk); // ArrayBuffer
  }

  /**
   * A parser fed byte chunks. onEvent({type, data, id, lastEventId}) for each dispatched event,
   * onRetry(ms) for a retry field, onComment(text) for comment lines (pings).
   */
  function SseParser(handlers) {
    this.handlers = handlers || {};
    this.pending = new Uint8Array(0); // bytes of an unfinished line
    this.skipLf = false; // the previous chunk ended in CR: an LF first in this one is the same break
    this.data = [];
    this.type = '';
    this.eventId = null;
    this.lastEventId = '';
  }

  SseParser.prototype.push = function (chunk) {
    var bytes = toBytes(chunk);
    var lineStart = 0;
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      if (this.skipLf) {
        this.skipLf = false;
        if (b === 0x0a) {
          lineStart = i + 1;
          continue;
        }
      }
      if (b === 0x0a || b === 0x0d) {
        this.line(this.take(bytes, lineStart, i));
        if (b === 0x0d) {
          if (i + 1 < bytes.length) {
            if (bytes[i + 1] === 0x0a) i++;
          } else this.skipLf = true;
        }
        lineStart = i + 1;
      }
    }
    if (lineStart < bytes.length) {
      var rest = bytes.subarray(lineStart);
      var joined = new Uint8Array(this.pending.length + rest.length);
      joined.set(this.pending, 0);
      joined.set(rest, this.pending.length);
      this.pending = joined;
    }
  };

  SseParser.prototype.take = function (bytes, start, end) {
    if (this.pending.length === 0) return utf8Decode(bytes, start, end);
    var joined = new Uint8Array(this.pending.length + end - start);
    joined.set(this.pending, 0);
    joined.set(bytes.subarray(start, end), this.pending.length);
    this.pending = new Uint8Array(0);
    return utf8Decode(joined);
  };

  SseParser.prototype.line = function (line) {
    if (line === '') return this.dispatch();
    if (line.charAt(0) === ':') {
      if (this.handlers.onComment) this.handlers.onComment(line.slice(1).trim());
      return;
    }
    var colon = line.indexOf(':');
    var field = colon < 0 ? line : line.slice(0, colon);
    var value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charAt(0) === ' ') value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id') {
      if (value.indexOf('\u0000') < 0) this.lastEventId = value;
    } else if (field === 'retry') {
      if (/^\d+$/.test(value) && this.handlers.onRetry) this.handlers.onRetry(parseInt(value, 10));
    }
  };

  SseParser.prototype.dispatch = function () {
    var data = this.data;
    var type = this.type || 'message';
    this.data = [];
    this.type = '';
    if (data.length === 0) return;
    if (this.handlers.onEvent) {
      this.handlers.onEvent({ type: type, data: data.join('\n'), lastEventId: this.lastEventId });
    }
  };

  return { SseParser: SseParser, utf8Decode: utf8Decode, utf8Encode: utf8Encode, toBytes: toBytes };
});
