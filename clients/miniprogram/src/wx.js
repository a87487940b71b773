/*
 * The mini-program side: wx.request as the transport (enableChunked for streams, ArrayBuffer chunks
 * from onChunkReceived), wx storage for the tokens, wx.login for the code, wx.onAppShow to resume
 * a stream the background cut.
 */
'use strict';

var core = require('./core.js');

function lowerCaseKeys(header) {
  var out = {};
  for (var key in header || {}) out[key.toLowerCase()] = String(header[key]);
  return out;
}

/** The transport of core.js over wx.request. */
function wxTransport(wx) {
  return {
    request: function (options) {
      var task;
      var promise = new Promise(function (resolve, reject) {
        var status = 0;
        var header = {};
        task = wx.request({
          url: options.url,
          method: options.method,
          header: options.headers,
          data: options.body,
          // Our own decoding: the runtime would otherwise try JSON.parse on a stream.
          dataType: 'text',
          responseType: options.stream ? 'arraybuffer' : 'text',
          enableChunked: !!options.stream,
          success: function (res) {
            status = res.statusCode;
            header = lowerCaseKeys(res.header);
            var text = '';
            if (!options.stream && res.data !== undefined && res.data !== null) {
              text = typeof res.data === 'string' ? res.data : JSON.stringify(res.data);
            }
            resolve({ status: status, headers: header, text: text });
          },
          fail: function (res) {
            var message = (res && res.errMsg) || '';
            reject({ network: true, reason: /abort/.test(message) ? 'abort' : /timeout/.test(message) ? 'timeout' : 'fail', message: message });
          }
        });
        if (options.stream && task) {
          if (task.onHeadersReceived) {
            task.onHeadersReceived(function (res) {
              status = res.statusCode;
              header = lowerCaseKeys(res.header);
              if (options.onHeaders) options.onHeaders(status, header);
            });
          }
          task.onChunkReceived(function (res) {
            if (options.onChunk) options.onChunk(new Uint8Array(res.data));
          });
        }
      });
      return { promise: promise, abort: function () { if (task) task.abort(); } };
    }
  };
}

/** The platform object core.js needs, made of wx. */
function wxPlatform(wx) {
  return {
    transport: wxTransport(wx),
    storage: {
      get: function (key) { return wx.getStorageSync(key) || null; },
      set: function (key, value) { wx.setStorageSync(key, value); },
      remove: function (key) { wx.removeStorageSync(key); }
    },
    loginCode: function () {
      return new Promise(function (resolve, reject) {
        wx.login({
          success: function (res) { resolve(res.code); },
          fail: function (res) { reject(core.ShuzhiError('LOGIN_FAILED', (res && res.errMsg) || '微信登录失败', 0)); }
        });
      });
    },
    onAppShow: function (listener) { wx.onAppShow(listener); }
  };
}

/**
 * The client for a mini-program: createShuzhi({baseUrl: 'https://api.example.com'}). A test passes
 * its own wx as the second argument; in the runtime the global one is used.
 */
function createShuzhi(options, wxObject) {
  var w = wxObject || (typeof wx !== 'undefined' ? wx : null);
  if (!w) throw new Error('createShuzhi: no wx object (pass one outside the mini-program runtime)');
  return core.createClient(Object.assign({}, options, { platform: Object.assign(wxPlatform(w), options.platform || {}) }));
}

module.exports = { createShuzhi: createShuzhi, wxTransport: wxTransport, wxPlatform: wxPlatform, ShuzhiError: core.ShuzhiError };
