/* firstline chat widget. One tag on any page:
 *
 *   <script src="https://chat.your-shop.example/widget.js" data-lang="vi"></script>
 *
 * No build step and nothing loaded from elsewhere: the stylesheet and the API
 * come from the server that served this file. Every text from the server
 * (customer, bot or agent) goes into the page with textContent, never as HTML.
 *
 * Delivery: the widget long-polls GET /api/chat/messages?after=N. Long
 * polling goes through every proxy and load balancer without sticky
 * sessions, any instance can answer any poll (the transcript is in the
 * shared store), and reconnecting after a network drop is simply the next
 * request from the last sequence number seen, so nothing is missed. Sent
 * messages carry a client id and wait in localStorage until the server has
 * them, so a message typed while offline is sent once, when back online.
 */
(function () {
  'use strict';
  if (window.__firstlineWidget) return;
  window.__firstlineWidget = true;

  var script = document.currentScript;
  var base = new URL(script && script.src ? script.src : '/widget.js', location.href).origin;
  var KEY = 'firstline-chat:' + base;

  var TEXT = {
    vi: {
      launcher: 'Chat với shop', title: 'Hỗ trợ khách hàng', sub: 'Trả lời ngay, 24/7',
      close: 'Đóng cửa sổ chat', switchTo: 'English', switchLabel: 'EN',
      placeholder: 'Nhập tin nhắn…', send: 'Gửi', inputLabel: 'Tin nhắn của anh/chị',
      intro: 'Dạ, em chào anh/chị! Em có thể giúp kiểm tra đơn hàng, phí ship, đổi trả và thanh toán ạ.',
      offline: 'Mất kết nối. Đang kết nối lại…', typing: 'Đang trả lời…',
      you: 'Bạn', bot: 'Trợ lý', agent: 'Nhân viên', system: 'Thông báo',
      rateLimited: 'Anh/chị gửi hơi nhanh ạ, tin nhắn sẽ được gửi sau giây lát.',
      tooLong: 'Tin nhắn dài quá ạ, anh/chị rút gọn giúp em nhé.',
      suggestions: 'Gợi ý',
      starters: ['Kiểm tra đơn hàng', 'Phí ship bao nhiêu?', 'Chính sách đổi trả', 'Gặp nhân viên']
    },
    en: {
      launcher: 'Chat with us', title: 'Customer support', sub: 'Instant answers, 24/7',
      close: 'Close the chat', switchTo: 'Tiếng Việt', switchLabel: 'VI',
      placeholder: 'Type a message…', send: 'Send', inputLabel: 'Your message',
      intro: 'Hi! I can help with your order status, shipping fees, returns and payment.',
      offline: 'Connection lost. Reconnecting…', typing: 'Typing…',
      you: 'You', bot: 'Assistant', agent: 'Agent', system: 'Notice',
      rateLimited: 'You are sending quickly; your message will go out in a moment.',
      tooLong: 'That message is too long; please shorten it.',
      suggestions: 'Suggestions',
      starters: ['Track my order', 'How much is shipping?', 'Return policy', 'Talk to a person']
    }
  };

  function loadState() {
    try {
      var s = JSON.parse(localStorage.getItem(KEY) || '{}');
      if (s && typeof s === 'object') return s;
    } catch (e) { /* a broken entry starts over */ }
    return {};
  }
  var state = loadState();
  state.outbox = Array.isArray(state.outbox) ? state.outbox : [];
  var wanted = (script && script.getAttribute('data-lang')) || document.documentElement.lang || 'vi';
  state.lang = state.lang || (/^en/i.test(wanted) ? 'en' : 'vi');
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  var after = 0; // last sequence number shown
  var lastFrom = null;

  // ---- DOM ----------------------------------------------------------------
  function el(tag, cls, attrs) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  var css = el('link', null, { rel: 'stylesheet', href: base + '/widget.css' });
  document.head.appendChild(css);

  var root = el('div', 'fl-root', { id: 'firstline-widget' });
  var launcher = el('button', 'fl-launcher', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'fl-panel' });
  var panel = el('section', 'fl-panel', { id: 'fl-panel', role: 'dialog' });
  panel.hidden = true;
  var head = el('header', 'fl-head');
  var titles = el('div', 'fl-titles');
  var title = el('h2', 'fl-title', { id: 'fl-title' });
  var sub = el('p', 'fl-sub');
  titles.appendChild(title); titles.appendChild(sub);
  var langBtn = el('button', 'fl-lang', { type: 'button' });
  var closeBtn = el('button', 'fl-close', { type: 'button' });
  closeBtn.textContent = '×';
  head.appendChild(titles); head.appendChild(langBtn); head.appendChild(closeBtn);
  var status = el('p', 'fl-status', { role: 'status' });
  status.hidden = true;
  var log = el('ol', 'fl-log', { 'aria-live': 'polite', tabindex: '0' });
  var intro = el('li', 'fl-msg fl-from-bot fl-intro');
  var typing = el('div', 'fl-typing', { 'aria-hidden': 'true' });
  typing.appendChild(el('span')); typing.appendChild(el('span')); typing.appendChild(el('span'));
  var typingLabel = el('span', 'fl-sr');
  typing.appendChild(typingLabel);
  typing.hidden = true;
  var quick = el('div', 'fl-quick', { role: 'group' });
  var form = el('form', 'fl-form');
  var inputLabel = el('label', 'fl-sr', { for: 'fl-input' });
  var input = el('input', 'fl-input', { id: 'fl-input', type: 'text', autocomplete: 'off', maxlength: '2000' });
  var sendBtn = el('button', 'fl-send', { type: 'submit' });
  form.appendChild(inputLabel); form.appendChild(input); form.appendChild(sendBtn);
  panel.setAttribute('aria-labelledby', 'fl-title');
  panel.appendChild(head); panel.appendChild(status); panel.appendChild(log);
  panel.appendChild(typing); panel.appendChild(quick); panel.appendChild(form);
  root.appendChild(panel); root.appendChild(launcher);
  log.appendChild(intro);

  function t() { return TEXT[state.lang]; }

  function applyLang() {
    var x = t();
    root.setAttribute('lang', state.lang);
    launcher.textContent = x.launcher;
    title.textContent = x.title;
    sub.textContent = x.sub;
    langBtn.textContent = x.switchLabel;
    langBtn.setAttribute('aria-label', x.switchTo);
    closeBtn.setAttribute('aria-label', x.close);
    input.placeholder = x.placeholder;
    inputLabel.textContent = x.inputLabel;
    sendBtn.textContent = x.send;
    typingLabel.textContent = x.typing;
    quick.setAttribute('aria-label', x.suggestions);
    intro.textContent = '';
    intro.appendChild(who('bot'));
    var p = el('p', 'fl-text');
    p.textContent = x.intro;
    intro.appendChild(p);
    if (status.dataset.kind) status.textContent = x[status.dataset.kind];
    if (lastFrom === null) showQuick(x.starters);
  }

  function who(from) {
    var s = el('span', 'fl-who');
    s.textContent = t()[from] || from;
    return s;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function bubble(from, text, extraCls) {
    var li = el('li', 'fl-msg fl-from-' + from + (extraCls ? ' ' + extraCls : ''));
    li.appendChild(who(from));
    var p = el('p', 'fl-text');
    p.textContent = text; // plain text, never parsed as markup
    li.appendChild(p);
    log.appendChild(li);
    scrollDown();
    return li;
  }

  function showQuick(labels) {
    quick.textContent = '';
    (labels || []).forEach(function (label) {
      var b = el('button', 'fl-chip', { type: 'button' });
      b.textContent = label;
      b.addEventListener('click', function () { send(label); });
      quick.appendChild(b);
    });
    quick.hidden = !labels || labels.length === 0;
  }

  function render(messages) {
    messages.forEach(function (m) {
      if (typeof m.seq !== 'number' || m.seq <= after) return;
      after = m.seq;
      if (m.from === 'customer') {
        // The server's copy replaces the bubble shown while sending.
        var pending = log.querySelectorAll('.fl-pending');
        for (var i = 0; i < pending.length; i++) {
          if (pending[i].dataset.text === m.text) { pending[i].remove(); break; }
        }
      }
      var li = bubble(m.from, m.text);
      li.dataset.seq = String(m.seq);
      lastFrom = m.from;
      if (m.from === 'bot' || m.from === 'agent' || m.from === 'system') showQuick(m.quick_replies || []);
    });
  }

  function setStatus(kind) {
    if (!kind) { status.hidden = true; delete status.dataset.kind; return; }
    status.dataset.kind = kind;
    status.textContent = t()[kind];
    status.hidden = false;
  }

  function setTyping(on) { typing.hidden = !on; if (on) scrollDown(); }

  // ---- network ------------------------------------------------------------
  function api(method, path, body) {
    var headers = { 'Content-Type': 'application/json' };
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    return fetch(base + path, {
      method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit', cache: 'no-store'
    });
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  async function ensureSession() {
    if (state.token) return;
    var r = await api('POST', '/api/chat/start');
    if (!r.ok) throw new Error('start ' + r.status);
    var j = await r.json();
    state.token = j.token;
    save();
    startPolling();
  }

  var flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    var backoff = 1000;
    try {
      while (state.outbox.length) {
        var item = state.outbox[0];
        setTyping(true);
        var r;
        try {
          await ensureSession();
          r = await api('POST', '/api/chat/messages', { text: item.text, client_id: item.cid });
        } catch (e) {
          setStatus('offline');
          await sleep(backoff);
          backoff = Math.min(backoff * 2, 8000);
          continue;
        }
        if (r.status === 401) { state.token = null; save(); continue; } // conversation gone: start anew
        if (r.status === 429) {
          setStatus('rateLimited');
          var wait = parseInt(r.headers.get('Retry-After') || '2', 10);
          await sleep(Math.max(1, Math.min(wait, 30)) * 1000);
          continue;
        }
        if (r.status === 413 || r.status === 400) {
          state.outbox.shift(); save();
          var p = log.querySelector('.fl-pending[data-cid="' + item.cid + '"]');
          if (p) p.remove();
          if (r.status === 413) bubble('system', t().tooLong);
          continue;
        }
        if (!r.ok) { setStatus('offline'); await sleep(backoff); backoff = Math.min(backoff * 2, 8000); continue; }
        var j = await r.json();
        state.outbox.shift(); save();
        setStatus(null);
        backoff = 1000;
        render(j.messages || []);
      }
    } finally {
      setTyping(false);
      flushing = false;
    }
  }

  function newId() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function send(text) {
    text = (text || '').trim();
    if (!text) return;
    var item = { cid: newId(), text: text };
    state.outbox.push(item); save();
    var li = bubble('customer', text, 'fl-pending');
    li.dataset.cid = item.cid;
    li.dataset.text = text;
    showQuick([]);
    flush();
  }

  var polling = false;
  async function startPolling() {
    if (polling || !state.token) return;
    polling = true;
    var backoff = 1000;
    while (state.token) {
      try {
        var r = await api('GET', '/api/chat/messages?after=' + after + '&wait=25');
        if (r.status === 401) { state.token = null; save(); break; }
        if (!r.ok) throw new Error('poll ' + r.status);
        var j = await r.json();
        if (status.dataset.kind === 'offline' && !flushing) setStatus(null);
        backoff = 1000;
        render(j.messages || []);
      } catch (e) {
        setStatus('offline');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10000);
      }
    }
    polling = false;
  }

  // ---- behaviour ------------------------------------------------------------
  function setOpen(open, focus) {
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', open ? 'true' : 'false');
    root.classList.toggle('fl-open', open);
    state.open = open; save();
    if (open && focus) input.focus();
    if (!open && focus) launcher.focus();
    if (open) scrollDown();
  }

  launcher.addEventListener('click', function () { setOpen(panel.hidden, true); });
  closeBtn.addEventListener('click', function () { setOpen(false, true); });
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); setOpen(false, true); }
  });
  langBtn.addEventListener('click', function () {
    state.lang = state.lang === 'vi' ? 'en' : 'vi';
    save();
    applyLang();
    // Re-label the transcript's speakers in the new language.
    log.querySelectorAll('.fl-msg').forEach(function (li) {
      var from = (li.className.match(/fl-from-(\w+)/) || [])[1];
      var w = li.querySelector('.fl-who');
      if (from && w) w.textContent = t()[from] || from;
    });
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var v = input.value;
    input.value = '';
    send(v);
    input.focus();
  });
  window.addEventListener('online', function () { flush(); });

  async function boot() {
    document.body.appendChild(root);
    applyLang();
    setOpen(!!state.open, false);
    // Messages that were waiting to be sent when the page went away are
    // shown after the transcript.
    function showOutbox() {
      state.outbox.forEach(function (item) {
        var li = bubble('customer', item.text, 'fl-pending');
        li.dataset.cid = item.cid;
        li.dataset.text = item.text;
      });
    }
    if (!state.token) showOutbox();
    if (state.token) {
      // The whole transcript, then new messages as they come.
      for (var tries = 0; ; tries++) {
        try {
          var r = await api('GET', '/api/chat/messages?after=0');
          if (r.status === 401) { state.token = null; save(); break; }
          if (!r.ok) throw new Error('history ' + r.status);
          var j = await r.json();
          setStatus(null);
          render(j.messages || []);
          break;
        } catch (e) {
          setStatus('offline');
          await sleep(Math.min(1000 * (tries + 1), 8000));
        }
      }
      showOutbox();
      startPolling();
    }
    if (state.outbox.length) flush();
  }

  if (document.body) boot();
  else document.addEventListener('DOMContentLoaded', boot);
})();
