// The clerking screen's script: it keeps the screen live from the lot's server-sent events
// and logs bids without reloading the page. Without it the screen still works: every form
// posts and the page reloads.
(() => {
  'use strict';
  const start = () => {
    const root = document.getElementById('clerk');
    if (!root || root.dataset.started) return;
    root.dataset.started = 'yes';
    const $ = (id) => document.getElementById(id);
    const here = () => document.body.contains(root);
    const say = (msg) => { const s = $('clerk-status'); if (s) s.textContent = msg; };
    const newKey = () => {
      if (crypto.randomUUID) return crypto.randomUUID();
      const b = new Uint8Array(16);
      crypto.getRandomValues(b);
      return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    };
    const form = $('bid-form');
    const rows = $('bid-rows');
    let ask = ($('ask')?.textContent || '').split(' ')[0];

    const cell = (tr, text, cls) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.appendChild(td);
      return td;
    };
    const lastBid = () => {
      const undo = $('undo-form');
      if (!undo || !rows) return;
      const tr = rows.querySelector('tr[data-bid]:not([data-retracted])');
      undo.elements.bid.value = tr ? tr.dataset.bid : '';
      undo.hidden = !tr;
    };
    const ended = (status, text) => {
      const s = $('lot-status');
      if (s) { s.dataset.status = status; s.textContent = text; }
      for (const id of ['bid-form', 'hammer-form', 'pass-form', 'undo-form']) {
        const f = $(id);
        if (f) f.hidden = true;
      }
      const open = $('open-form');
      if (open) { open.hidden = false; open.querySelector('button').focus(); }
    };

    const apply = (e) => {
      ask = e.ask;
      const a = $('ask');
      if (a) a.textContent = e.ask + ' USD';
      const l = $('leader');
      if (l) l.textContent = e.leader ? 'paddle ' + e.leader + ' at ' + e.price + ' USD' : 'no bid yet';
      const r = $('reserve');
      if (r && root.dataset.reserve === 'yes') {
        r.dataset.met = String(e.reserveMet);
        r.textContent = e.reserveMet ? 'met' : 'not met';
      }
      switch (e.kind) {
        case 'BID': {
          if (!rows || rows.querySelector('tr[data-bid="' + e.bid + '"]')) break;
          const tr = document.createElement('tr');
          tr.dataset.bid = e.bid;
          tr.dataset.seq = e.seq;
          cell(tr, String(e.seq), 'num');
          cell(tr, String(e.paddle));
          cell(tr, (e.bidKind || '').toLowerCase());
          cell(tr, e.amount + ' USD', 'num');
          cell(tr, e.at);
          cell(tr, '');
          rows.prepend(tr);
          break;
        }
        case 'RETRACTED': {
          const tr = rows && rows.querySelector('tr[data-bid="' + e.bid + '"]');
          if (tr) { tr.dataset.retracted = ''; tr.lastElementChild.textContent = 'retracted' + (e.detail ? ': ' + e.detail : ''); }
          say('Bid ' + (tr ? tr.dataset.seq : '') + ' retracted.');
          break;
        }
        case 'REJECTED':
          say('Rejected' + (e.paddle ? ' (paddle ' + e.paddle + ')' : '') + (e.detail ? ': ' + e.detail : '.'));
          break;
        case 'SOLD':
          ended('SOLD', 'sold');
          say('Sold to paddle ' + e.leader + ' at ' + e.price + ' USD.');
          break;
        case 'UNSOLD':
        case 'PASSED':
          ended('UNSOLD', 'unsold');
          say('Lot unsold.');
          break;
        case 'OPENED': {
          const s = $('lot-status');
          if (s) { s.dataset.status = 'OPEN'; s.textContent = 'open'; }
          break;
        }
      }
      lastBid();
    };

    if (root.dataset.events) {
      const events = new EventSource(root.dataset.events);
      events.addEventListener('open', () => { root.dataset.live = 'yes'; });
      events.addEventListener('error', () => { root.dataset.live = 'no'; });
      events.addEventListener('lot', (m) => {
        if (!here()) { events.close(); return; }
        apply(JSON.parse(m.data));
      });
    }

    const errors = $('bid-errors');
    const clearErrors = () => {
      if (errors) errors.replaceChildren();
      form?.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
    };
    if (form) {
      // One bid, one key: the key of the form as rendered, then a new one whenever what is
      // sent differs from the last sending. A second Enter on the same bid (a double Enter, a
      // retry after a lost answer) sends the same key, and the server logs it once.
      let key = form.elements.key.value;
      let last = null;
      const amount = form.elements['amount.amount'];
      const what = () => [form.elements.paddle.value.trim(), amount.value.trim(), $('f-kind')?.checked].join('|');
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        if (!amount.value.trim()) amount.value = ask;
        const sending = what();
        if (last !== null && sending !== last) key = newKey();
        last = sending;
        const body = new URLSearchParams(new FormData(form));
        body.set('key', key);
        fetch(form.action, { method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin' })
          .then((res) => res.json())
          .then((a) => {
            clearErrors();
            if (a.ok) {
              // Clear the bid unless the clerk has typed the next one meanwhile.
              if (what() === sending) {
                form.elements.paddle.value = '';
                amount.value = '';
                form.elements.paddle.focus();
              }
              say(a.replayed ? 'That bid was logged already.' : 'Bid logged.');
              return;
            }
            for (const e of a.errors || []) {
              const p = document.createElement('p');
              p.className = 'error';
              p.textContent = e.Message;
              errors?.appendChild(p);
              const input = $('f-' + e.Field);
              if (input) input.setAttribute('aria-invalid', 'true');
            }
          })
          .catch(() => say('The bid could not be sent: check the connection and press Enter again.'));
      });
    }

    document.addEventListener('keydown', (ev) => {
      if (!here()) return;
      if (ev.key === 'F3') {
        const k = $('f-kind');
        if (k) { ev.preventDefault(); k.checked = !k.checked; say(k.checked ? 'Phone bid.' : 'Floor bid.'); }
        return;
      }
      const id = { F2: 'open-form', F4: 'hammer-form', F7: 'pass-form', F9: 'undo-form' }[ev.key];
      const f = id && $(id);
      if (!f || f.hidden) return;
      ev.preventDefault();
      f.requestSubmit();
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
