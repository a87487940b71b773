/*
 * The Shuzhi client core: the API's protocol, token handling, book-task polling and the resumable
 * chat stream. It knows nothing of wx or fetch: a platform object brings the transport, storage,
 * the login code, app-show notifications and timers (see wx.js and fetch-transport.js), so the
 * mini-program and the browser playground run this same file.
 *
 * Transport contract: request({method, url, headers, body, stream, onHeaders(status, headers),
 * onChunk(Uint8Array)}) -> {promise, abort()}. The promise resolves {status, headers, text} when the
 * response is complete (text is empty for streams) and rejects with {network: true, reason} when
 * the connection fails, is cut or is aborted. Header names are lower-case.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory(require('./sse.js'));
  else root.ShuzhiCore = factory(root.ShuzhiSse);
})(typeof self !== 'undefined' ? self : this, function (sse) {
  'use strict';

  var STORAGE_KEY = 'shuzhi.auth';

  /** Every failure the SDK reports: the contract's {code, message} plus the HTTP status. */
  function ShuzhiError(code, message, status, extra) {
    var error = new Error(message);
    error.name = 'ShuzhiError';
    error.code = code;
    error.status = status || 0;
    if (extra) for (var key in extra) error[key] = extra[key];
    return error;
  }

  function errorOf(response) {
    var body = parseJson(response.text);
    var extra = { retryAfter: retryAfterMs(response.headers) };
    if (body && typeof body.code === 'string') {
      for (var key in body) if (key !== 'code' && key !== 'message') extra[key] = body[key];
      return ShuzhiError(body.code, body.message || body.code, response.status, extra);
    }
    return ShuzhiError(response.status >= 500 ? 'SERVER_ERROR' : 'HTTP_' + response.status, '服务暂时不可用（' + response.status + '）', response.status, extra);
  }

  function networkError(failure) {
    return ShuzhiError('NETWORK_ERROR', '网络连接失败，请稍后再试', 0, { reason: failure && failure.reason });
  }

  function parseJson(text) {
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  /** UTF-8 pieces decoded as one text. */
  function decodeWhole(pieces) {
    var length = 0;
    for (var i = 0; i < pieces.length; i++) length += pieces[i].length;
    var all = new Uint8Array(length);
    for (var j = 0, at = 0; j < pieces.length; at += pieces[j].length, j++) all.set(pieces[j], at);
    return sse.utf8Decode(all);
  }

  function retryAfterMs(headers) {
    var value = headers && headers['retry-after'];
    if (!value) return null;
    var seconds = Number(value);
    if (!isNaN(seconds)) return Math.max(0, seconds * 1000);
    var at = Date.parse(value);
    return isNaN(at) ? null : Math.max(0, at - Date.now());
  }

  function randomId(random) {
    var hex = '';
    for (var i = 0; i < 32; i++) hex += Math.floor(random() * 16).toString(16);
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-4' + hex.slice(13, 16) + '-a' + hex.slice(17, 20) + '-' + hex.slice(20, 32);
  }

  function query(params) {
    var parts = [];
    for (var key in params) {
      if (params[key] !== undefined && params[key] !== null) parts.push(encodeURIComponent(key) + '=' + encodeURIComponent(params[key]));
    }
    return parts.length ? '?' + parts.join('&') : '';
  }

  /**
   * @param options.baseUrl the API, e.g. https://api.example.com
   * @param options.platform {transport, storage, loginCode, onAppShow, setTimeout, clearTimeout, now, random}
   * @param options.chat {maxAttempts, idleTimeoutMs, retryDelayMs, maxRetryDelayMs, maxRetryAfterMs}
   * @param options.lookup {firstPollMs, maxPollMs, deadlineMs}
   */
  function createClient(options) {
    var baseUrl = String(options.baseUrl || '').replace(/\/+$/, '');
    var platform = options.platform;
    var transport = platform.transport;
    var timers = {
      set: platform.setTimeout || function (f, ms) { return setTimeout(f, ms); },
      clear: platform.clearTimeout || function (t) { clearTimeout(t); },
      now: platform.now || function () { return Date.now(); }
    };
    var random = platform.random || Math.random;
    var chatOptions = Object.assign(
      { maxAttempts: 5, idleTimeoutMs: 45000, retryDelayMs: 1000, maxRetryDelayMs: 8000, maxRetryAfterMs: 15000 },
      options.chat || {}
    );
    var lookupOptions = Object.assign({ firstPollMs: 300, maxPollMs: 2000, deadlineMs: 60000 }, options.lookup || {});
    var renewing = null; // the one token renewal in flight, shared by every call that got a 401
    var appShowListeners = [];
    if (platform.onAppShow) {
      platform.onAppShow(function () {
        appShowListeners.slice().forEach(function (listener) { listener(); });
      });
    }

    function url(path) {
      return /^https?:\/\//.test(path) ? path : baseUrl + path;
    }

    function tokens() {
      return platform.storage.get(STORAGE_KEY) || null;
    }

    function keep(answer) {
      platform.storage.set(STORAGE_KEY, { token: answer.token, refresh_token: answer.refresh_token });
      return answer;
    }

    function delay(ms) {
      return new Promise(function (resolve) { timers.set(resolve, ms); });
    }

    function send(method, path, body, headers) {
      var all = Object.assign({ Accept: 'application/json' }, headers || {});
      if (body !== undefined) all['Content-Type'] = 'application/json';
      return transport.request({ method: method, url: url(path), headers: all, body: body === undefined ? undefined : JSON.stringify(body) }).promise.then(
        function (response) { return response; },
        function (failure) { throw networkError(failure); }
      );
    }

    function json(response) {
      if (response.status >= 200 && response.status < 300) return response.status === 204 ? null : parseJson(response.text);
      throw errorOf(response);
    }

    /** wx.login (or the platform's code) → our login; the tokens are kept in storage. */
    function login() {
      return Promise.resolve(platform.loginCode()).then(function (code) {
        return send('POST', '/api/auth/login/wechat/', { code: code }).then(json).then(keep);
      });
    }

    /**
     * One renewal however many calls failed at once: the refresh token is single-use, so a second
     * refresh with it would be refused and log the reader out. A refresh that fails logs in again.
     */
    function renew(failedToken) {
      var current = tokens();
      if (current && current.token !== failedToken) return Promise.resolve(current); // renewed meanwhile
      if (!renewing) {
        var refresh = current && current.refresh_token;
        var attempt = refresh
          ? send('POST', '/api/auth/token/refresh/', { refresh_token: refresh }).then(json).then(keep).catch(function (e) {
              if (e.status === 401 && platform.loginCode) return login();
              throw e;
            })
          : platform.loginCode
            ? login()
            : Promise.reject(ShuzhiError('UNAUTHORIZED', '请先登录', 401));
        renewing = attempt.then(
          function (answer) { renewing = null; return answer; },
          function (e) { renewing = null; if (e.status === 401) platform.storage.remove(STORAGE_KEY); throw e; }
        );
      }
      return renewing;
    }

    function bearer() {
      var current = tokens();
      return current ? { Authorization: 'Bearer ' + current.token } : {};
    }

    /** An authorised call: on 401 the token is renewed once and the call sent once more. */
    function call(method, path, body) {
      var sentWith = (tokens() || {}).token;
      return send(method, path, body, bearer()).then(function (response) {
        if (response.status !== 401) return json(response);
        return renew(sentWith).then(function () {
          return send(method, path, body, bearer()).then(json);
        });
      });
    }

    /**
     * The book, at once (200) or after following its task (202): polls back off from firstPollMs
     * to maxPollMs, a Retry-After from the server is honoured, and the lookup gives up at the
     * deadline or when abort() is called. Resolves the book; rejects a ShuzhiError.
     */
    function lookupBook(isbn, opts) {
      opts = opts || {};
      var aborted = false;
      var wake = null;
      var deadline = timers.now() + (opts.deadlineMs || lookupOptions.deadlineMs);
      var pause = lookupOptions.firstPollMs;

      function wait(ms) {
        return new Promise(function (resolve) {
          var handle = timers.set(function () { wake = null; resolve(); }, ms);
          wake = function () { timers.clear(handle); wake = null; resolve(); };
        });
      }

      function check() {
        if (aborted) throw ShuzhiError('ABORTED', '已取消', 0);
        if (timers.now() >= deadline) throw ShuzhiError('TIMEOUT', '查询超时，请稍后再试', 0);
      }

      function next(response, then) {
        // A 429 or a 202 may say how long to wait; otherwise back off up to maxPollMs.
        var asked = retryAfterMs(response.headers);
        var ms = asked != null ? asked : pause;
        pause = Math.min(lookupOptions.maxPollMs, Math.round(pause * 1.6));
        if (timers.now() + ms > deadline) throw ShuzhiError('TIMEOUT', '查询超时，请稍后再试', 0);
        return wait(ms).then(function () { check(); return then(); });
      }

      function authorised(path) {
        var sentWith = (tokens() || {}).token;
        return send('GET', path, undefined, bearer()).then(function (response) {
          if (response.status !== 401) return response;
          return renew(sentWith).then(function () { return send('GET', path, undefined, bearer()); });
        });
      }

      function poll(pollUrl) {
        return authorised(pollUrl).then(function (response) {
          check();
          if (response.status === 429) return next(response, function () { return poll(pollUrl); });
          var task = json(response);
          if (task.status === 'succeeded') return task.result;
          if (task.status === 'failed') {
            var error = task.error || {};
            throw ShuzhiError(error.code || 'NOT_FOUND', error.message || '没有找到这本书', 404);
          }
          if (opts.onPending) opts.onPending(task);
          return next(response, function () { return poll(pollUrl); });
        });
      }

      function start() {
        return authorised('/api/books/' + encodeURIComponent(isbn) + '/').then(function (response) {
          check();
          if (response.status === 429) return next(response, start);
          if (response.status === 202) {
            var task = parseJson(response.text) || {};
            if (opts.onPending) opts.onPending(task);
            var pollUrl = task.poll_url || response.headers.location;
            return next(response, function () { return poll(pollUrl); });
          }
          return json(response);
        });
      }

      var promise = Promise.resolve().then(start);
      promise.abort = function () {
        aborted = true;
        if (wake) wake();
      };
      return promise;
    }

    /**
     * Asks about a book; the answer streams into the callbacks. Returns {cancel(), requestId()}.
     * The stream resumes by itself (Last-Event-ID) after a cut, a network error, a silent connection
     * or the app coming back to the foreground, so onDelta's text is exactly the answer.
     */
    function chat(request) {
      var clientMsgId = request.clientMsgId || randomId(random);
      var state = {
        // Picking up a stream this client started before (a page reloaded mid-answer): replayed
        // from its first event, so the text is rebuilt whole.
        requestId: request.requestId || null,
        lastEventId: request.requestId ? request.lastEventId || '0' : null,
        text: '',
        reasoning: '',
        usage: null,
        finishReason: null,
        finished: false,
        cancelled: false,
        failures: 0,
        waits: 0, // refusals waited out (busy, over a limit)
        waiting: false, // refused, and sleeping until the send may go again
        retryMs: chatOptions.retryDelayMs,
        current: null, // the attempt under way: {abort, id}
        attempt: 0,
        renewedOnce: false,
        idle: null,
        sleeping: null
      };

      function finish(callback, value) {
        if (state.finished) return;
        state.finished = true;
        stopIdle();
        if (state.sleeping) timers.clear(state.sleeping);
        var index = appShowListeners.indexOf(onAppShow);
        if (index >= 0) appShowListeners.splice(index, 1);
        if (callback) callback(value);
      }

      function fail(error) {
        finish(request.onError, error);
      }

      function stopIdle() {
        if (state.idle) timers.clear(state.idle);
        state.idle = null;
      }

      // iOS fires no callback at all when the network drops: silence longer than a few server
      // pings means the connection is gone.
      function armIdle(attempt) {
        stopIdle();
        state.idle = timers.set(function () {
          if (attempt !== state.attempt || state.finished) return;
          abandon('idle');
        }, chatOptions.idleTimeoutMs);
      }

      function abandon(reason) {
        var current = state.current;
        state.current = null;
        state.attempt++;
        if (current) current.abort();
        retry(reason, true);
      }

      function onAppShow() {
        // A request that was under way when the app went to the background is usually dead even
        // when no callback said so: start again from the last event at once.
        if (!state.finished && !state.cancelled && state.current) {
          state.failures = 0;
          abandon('app-show', 0);
        }
      }
      appShowListeners.push(onAppShow);

      function handleEvent(event) {
        if (event.lastEventId) state.lastEventId = event.lastEventId;
        if (event.type === 'reset') {
          // Forthcoming (issue 18): the server tells the client to forget the text shown so far.
          state.text = '';
          state.reasoning = '';
          if (request.onReset) request.onReset();
          return;
        }
        if (event.type === 'error') {
          var body = parseJson(event.data) || {};
          var error = body.error && !body.code ? body.error : body;
          return fail(ShuzhiError(error.code || 'MODEL_ERROR', error.message || '回答中断了', 200));
        }
        if (event.data === '[DONE]') {
          return finish(request.onDone, {
            requestId: state.requestId,
            text: state.text,
            reasoning: state.reasoning,
            usage: state.usage,
            finishReason: state.finishReason
          });
        }
        var chunk = parseJson(event.data);
        if (!chunk) return;
        if (chunk.error) {
          return fail(ShuzhiError(chunk.error.code || 'MODEL_ERROR', chunk.error.message || '回答中断了', 200));
        }
        if (!state.requestId && chunk.id) state.requestId = chunk.id;
        if (chunk.usage) state.usage = chunk.usage;
        var choice = chunk.choices && chunk.choices[0];
        if (!choice) return;
        if (choice.finish_reason) state.finishReason = choice.finish_reason;
        var delta = choice.delta || {};
        if (delta.reasoning_content) {
          state.reasoning += delta.reasoning_content;
          if (request.onReasoning) request.onReasoning(delta.reasoning_content, state.reasoning);
        }
        if (delta.content) {
          state.text += delta.content;
          if (request.onDelta) request.onDelta(delta.content, state.text);
        }
      }

      function open() {
        state.waiting = false;
        if (state.finished || state.cancelled) return;
        var attempt = ++state.attempt;
        var resuming = state.requestId !== null;
        var headers = Object.assign({ Accept: 'text/event-stream' }, bearer());
        var sentWith = (tokens() || {}).token;
        var body;
        var path;
        if (resuming) {
          path = '/api/chat/stream/' + encodeURIComponent(state.requestId) + '/';
          if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
        } else {
          path = '/api/chat/stream/';
          headers['Content-Type'] = 'application/json';
          body = JSON.stringify({ isbn: request.isbn, messages: request.messages, client_msg_id: clientMsgId });
        }
        var status = 0;
        var responseHeaders = {};
        var progressed = false;
        var parser = new sse.SseParser({
          onEvent: function (event) {
            if (attempt !== state.attempt || state.finished) return;
            progressed = true;
            state.renewedOnce = false; // a long answer may outlive more than one access token
            handleEvent(event);
          },
          onRetry: function (ms) { state.retryMs = Math.min(ms, chatOptions.maxRetryDelayMs); }
        });
        var errorBytes = []; // a refusal's body, decoded whole: a chunk may end inside a character
        var task = transport.request({
          method: resuming ? 'GET' : 'POST',
          url: url(path),
          headers: headers,
          body: body,
          stream: true,
          onHeaders: function (code, names) {
            if (attempt !== state.attempt) return;
            status = code;
            responseHeaders = names;
            if (code === 200 && names['x-request-id'] && !state.requestId) state.requestId = names['x-request-id'];
            if (code === 200 && request.onStart && !resuming) request.onStart({ requestId: state.requestId, clientMsgId: clientMsgId });
            if (code === 200 && state.cancelled === 'pending') cancelNow();
            armIdle(attempt);
          },
          onChunk: function (bytes) {
            if (attempt !== state.attempt || state.finished) return;
            armIdle(attempt);
            if (status === 200) parser.push(bytes);
            else errorBytes.push(new Uint8Array(bytes));
          }
        });
        state.current = { abort: task.abort, attempt: attempt };
        armIdle(attempt);
        task.promise.then(
          function (response) {
            if (attempt !== state.attempt || state.finished) return;
            state.current = null;
            stopIdle();
            status = response.status || status;
            responseHeaders = response.headers || responseHeaders;
            if (status === 200) {
              if (progressed) state.failures = 0;
              return retry('ended'); // cut before [DONE]: pick it up from the last id
            }
            if (status === 204) {
              // Nothing left after our last event and the stream has ended.
              return handleEvent({ type: 'message', data: '[DONE]' });
            }
            var error = errorOf({ status: status, headers: responseHeaders, text: response.text || decodeWhole(errorBytes) });
            if (status === 401 && !state.renewedOnce) {
              state.renewedOnce = true;
              return renew(sentWith).then(open, fail);
            }
            // Over a limit (429), or the chat-workers behind (503 MODEL_ERROR): both say how long to
            // wait, and the same client_msg_id sent again starts no second generation.
            var waitable = status === 429 || (status === 503 && error.code === 'MODEL_ERROR');
            // Counted apart from the failures, whose count is the stream's reconnect budget.
            if (waitable && error.retryAfter != null && error.retryAfter <= chatOptions.maxRetryAfterMs && ++state.waits < chatOptions.maxAttempts) {
              if (request.onWait) request.onWait({ code: error.code, message: error.message, retryAfterMs: error.retryAfter, attempt: state.waits });
              state.waiting = true;
              state.sleeping = timers.set(open, error.retryAfter);
              return;
            }
            if (status >= 500 && status !== 503) return retry('server');
            fail(error);
          },
          function (failure) {
            if (attempt !== state.attempt || state.finished) return;
            state.current = null;
            stopIdle();
            if (progressed) state.failures = 0;
            retry(failure && failure.reason ? failure.reason : 'network');
          }
        );
      }

      function retry(reason, immediate) {
        if (state.finished || state.cancelled) return;
        if (++state.failures > chatOptions.maxAttempts) {
          return fail(ShuzhiError('NETWORK_ERROR', '网络不稳定，回答没能接上（' + reason + '）', 0, { reason: reason }));
        }
        // The first retry after progress is immediate (a cut is routine); repeated failures back off.
        var ms = state.failures <= 1 ? 0 : Math.min(chatOptions.maxRetryDelayMs, state.retryMs * Math.pow(2, state.failures - 2));
        if (request.onResume) request.onResume({ reason: reason, lastEventId: state.lastEventId, attempt: state.failures });
        state.sleeping = timers.set(open, immediate && state.failures <= 1 ? 0 : ms);
      }

      var cancelling = null;
      function cancelNow() {
        state.cancelled = true;
        cancelling = call('POST', '/api/chat/stream/' + encodeURIComponent(state.requestId) + '/cancel/');
        return cancelling;
      }

      open();
      return {
        clientMsgId: clientMsgId,
        requestId: function () { return state.requestId; },
        text: function () { return state.text; },
        /**
         * The stop button: aborting the request alone would leave the generation running, so the
         * cancel endpoint is called (as soon as the request id is known).
         */
        cancel: function () {
          if (state.finished || state.cancelled === true) return cancelling || Promise.resolve();
          var current = state.current;
          var known = state.requestId !== null;
          if (!known && state.waiting) {
            // Refused and waiting to send again: the server has nothing of this send to stop.
            state.cancelled = true;
            finish(request.onCancel, { requestId: null, text: state.text, reasoning: state.reasoning });
            return Promise.resolve();
          }
          if (!known) {
            state.cancelled = 'pending'; // sent once the server names the stream
            return new Promise(function (resolve) {
              var wait = function () {
                if (state.cancelled === true) return resolve(cancelling);
                if (state.finished) return resolve();
                timers.set(wait, 50);
              };
              wait();
            });
          }
          state.current = null;
          state.attempt++;
          if (current) current.abort();
          var done = cancelNow();
          finish(request.onCancel, { requestId: state.requestId, text: state.text, reasoning: state.reasoning });
          return done;
        }
      };
    }

    function list(path, opts) {
      opts = opts || {};
      return call('GET', path + query({ limit: opts.limit, offset: opts.offset }));
    }

    return {
      login: login,
      isLoggedIn: function () { return !!tokens(); },
      logout: function () { platform.storage.remove(STORAGE_KEY); },
      lookupBook: lookupBook,
      chat: chat,
      /** Follows a list's next or previous link. */
      page: function (link) { return link ? call('GET', link) : Promise.resolve(null); },
      history: function (opts) { return list('/api/user/history/', opts); },
      conversation: function (id) { return call('GET', '/api/user/history/' + encodeURIComponent(id) + '/'); },
      deleteConversation: function (id) { return call('DELETE', '/api/user/history/' + encodeURIComponent(id) + '/'); },
      collections: function (opts) { return list('/api/user/collections/', opts); },
      collect: function (isbn) { return call('POST', '/api/user/collections/', { isbn: isbn }); },
      uncollect: function (isbn) { return call('DELETE', '/api/user/collections/' + encodeURIComponent(isbn) + '/'); },
      profile: function () { return call('GET', '/api/user/profile/'); },
      updateProfile: function (profile) { return call('PUT', '/api/user/profile/', profile); },
      usage: function () { return call('GET', '/api/user/usage/'); },
      /** Any other authorised JSON call. */
      call: call
    };
  }

  return { createClient: createClient, ShuzhiError: ShuzhiError, SseParser: sse.SseParser, STORAGE_KEY: STORAGE_KEY };
});
