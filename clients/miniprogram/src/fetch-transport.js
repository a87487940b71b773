/*
 * The transport of core.js over the browser's fetch (the playground): the same core, another
 * runtime. Streams are read as byte chunks, exactly as wx.request delivers them.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.ShuzhiFetchTransport = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  function headersOf(response) {
    var out = {};
    response.headers.forEach(function (value, key) { out[key.toLowerCase()] = value; });
    return out;
  }

  function fetchTransport(fetchFn) {
    var doFetch = fetchFn || fetch.bind(typeof self !== 'undefined' ? self : globalThis);
    return {
      request: function (options) {
        var controller = new AbortController();
        var promise = doFetch(options.url, {
          method: options.method,
          headers: options.headers,
          body: options.body,
          signal: controller.signal
        }).then(function (response) {
          var headers = headersOf(response);
          if (!options.stream) {
            return response.text().then(function (text) { return { status: response.status, headers: headers, text: text }; });
          }
          if (options.onHeaders) options.onHeaders(response.status, headers);
          if (!response.body) return { status: response.status, headers: headers, text: '' };
          var reader = response.body.getReader();
          function pump() {
            return reader.read().then(function (step) {
              if (step.done) return { status: response.status, headers: headers, text: '' };
              if (options.onChunk) options.onChunk(step.value);
              return pump();
            });
          }
          return pump();
        }).catch(function (error) {
          throw { network: true, reason: error && error.name === 'AbortError' ? 'abort' : 'fail', message: String(error) };
        });
        return { promise: promise, abort: function () { controller.abort(); } };
      }
    };
  }

  return { fetchTransport: fetchTransport };
});
