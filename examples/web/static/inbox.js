/* The agent inbox. Every text from a conversation (customer messages, the
 * summary) goes into the page with textContent, never as HTML. */
(function () {
  'use strict';
  var selected = null;
  var shownSeq = 0;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function when(ts) {
    var d = new Date(ts * 1000);
    return d.toLocaleString();
  }

  async function get(path) {
    var r = await fetch(path, { cache: 'no-store', credentials: 'same-origin' });
    if (r.status === 401) { location.href = '/login'; throw new Error('logged out'); }
    if (!r.ok) throw new Error(path + ': ' + r.status);
    return r.json();
  }

  async function post(path, body) {
    var r = await fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : '{}'
    });
    if (r.status === 401) { location.href = '/login'; throw new Error('logged out'); }
    if (!r.ok) throw new Error(path + ': ' + r.status);
  }

  function showError(e) {
    var p = $('d-error');
    p.textContent = e ? String(e.message || e) : '';
    p.hidden = !e;
  }

  function orderOf(summary) {
    var ids = [];
    if (summary.slots && summary.slots.order_id) ids.push(summary.slots.order_id);
    (summary.verified_orders || []).forEach(function (o) { if (ids.indexOf(o) < 0) ids.push(o + ' ✓'); });
    return ids.join(', ');
  }

  async function refreshList() {
    var j = await get('/api/agent/handoffs');
    var ul = $('handoffs');
    ul.textContent = '';
    var list = (j.handoffs || []).filter(function (h) { return h.state !== 'closed'; });
    $('empty').hidden = list.length > 0;
    list.forEach(function (h) {
      var li = el('li', 'h ' + h.priority + (h.session === selected ? ' selected' : ''));
      var b = el('button', 'open');
      b.type = 'button';
      b.dataset.session = h.session;
      var top = el('span', 'top');
      top.appendChild(el('span', 'prio', h.priority));
      top.appendChild(el('span', 'reason', h.reason));
      top.appendChild(el('span', 'state', h.state === 'taken' ? 'taken' : 'waiting'));
      b.appendChild(top);
      var s = h.summary || {};
      var last = (s.last_messages || []).slice(-1)[0] || '';
      b.appendChild(el('span', 'last', last));
      var meta = el('span', 'meta', [(s.lang || '').toUpperCase(), orderOf(s), when(h.ts)].filter(Boolean).join(' · '));
      b.appendChild(meta);
      b.addEventListener('click', function () { select(h.session); });
      li.appendChild(b);
      ul.appendChild(li);
    });
  }

  function dlRow(dl, k, v) {
    if (v === undefined || v === null || v === '') return;
    dl.appendChild(el('dt', null, k));
    dl.appendChild(el('dd', null, v));
  }

  async function refreshDetail() {
    if (!selected) return;
    var j = await get('/api/agent/conversations/' + encodeURIComponent(selected));
    $('detail').hidden = false;
    $('d-title').textContent = 'Conversation ' + j.session;
    var dl = $('d-summary');
    dl.textContent = '';
    var h = j.handoff;
    var s = (h && h.summary) || {};
    dlRow(dl, 'Reason', h && h.reason);
    dlRow(dl, 'Priority', h && h.priority);
    dlRow(dl, 'Language', s.lang === 'en' ? 'English' : s.lang === 'vi' ? 'Vietnamese' : '');
    dlRow(dl, 'Order', orderOf(s));
    dlRow(dl, 'Intents', (s.intents || []).join(' → '));
    dlRow(dl, 'Contact', s.contact);
    if (s.agents_available === false) dlRow(dl, 'Note', 'Handed off outside agent hours');
    dlRow(dl, 'Status', j.state === 'agent' ? 'You are talking to the customer' : j.state === 'waiting' ? 'Waiting for an agent' : 'The bot is answering');
    $('take').hidden = j.state === 'agent';
    $('release').hidden = j.state !== 'agent';
    var ol = $('transcript');
    var msgs = j.messages || [];
    if (msgs.length && msgs[msgs.length - 1].seq === shownSeq && ol.childElementCount) return;
    ol.textContent = '';
    msgs.forEach(function (m) {
      var li = el('li', 'm ' + m.from);
      li.appendChild(el('span', 'who', m.from));
      li.appendChild(el('p', 'text', m.text));
      ol.appendChild(li);
    });
    shownSeq = msgs.length ? msgs[msgs.length - 1].seq : 0;
    ol.scrollTop = ol.scrollHeight;
  }

  async function select(id) {
    selected = id;
    shownSeq = 0;
    showError(null);
    try { await refreshDetail(); await refreshList(); } catch (e) { showError(e); }
    $('reply-text').focus();
  }

  $('take').addEventListener('click', async function () {
    try { await post('/api/agent/conversations/' + selected + '/take'); await refreshDetail(); await refreshList(); }
    catch (e) { showError(e); }
  });
  $('release').addEventListener('click', async function () {
    try { await post('/api/agent/conversations/' + selected + '/release'); await refreshDetail(); await refreshList(); }
    catch (e) { showError(e); }
  });
  $('reply').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var input = $('reply-text');
    var text = input.value.trim();
    if (!text || !selected) return;
    try {
      await post('/api/agent/conversations/' + selected + '/reply', { text: text });
      input.value = '';
      showError(null);
      await refreshDetail();
    } catch (e) { showError(e); }
  });

  async function loop() {
    for (;;) {
      try { await refreshList(); await refreshDetail(); } catch (e) { /* next round */ }
      await new Promise(function (r) { setTimeout(r, 2000); });
    }
  }
  loop();
})();
