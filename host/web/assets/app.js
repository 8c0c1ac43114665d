// SPDX-License-Identifier: Apache-2.0
// The officer's page: plain JavaScript over the station's REST API (docs/api.md). All data is inserted with
// textContent (never innerHTML), so report text can not inject markup.
'use strict';

const I18N = {
  en: {
    'nav.queue': 'Queue', 'nav.search': 'Search', 'nav.stats': 'Statistics', 'nav.scanners': 'Scanners',
    'nav.audit': 'Audit log', lang: 'Language', logout: 'Log out',
    'login.title': 'Log in', 'login.user': 'User', 'login.password': 'Password', 'login.submit': 'Log in',
    'login.failed': 'Wrong user name or password.',
    'queue.title': 'Live queue', 'queue.pick': 'Select an inspection.',
    'search.from': 'From', 'search.to': 'To', 'search.verdict': 'Verdict', 'search.any': 'any',
    'search.document_number': 'Document number', 'search.issuing_state': 'Issuing state', 'search.submit': 'Search',
    'search.count': '{n} inspections found',
    'col.time': 'Time', 'col.verdict': 'Verdict', 'col.document': 'Document', 'col.state': 'State',
    'col.name': 'Name', 'col.decision': 'Decision', 'col.scanner': 'Scanner',
    'stats.show': 'Show', 'stats.per_day': 'Inspections and RED per day', 'stats.per_state': 'Per issuing state',
    'stats.per_check': 'Failed checks', 'stats.totals': '{n} inspections: {g} GREEN, {a} AMBER, {r} RED',
    'stats.day': 'Day', 'stats.state': 'State', 'stats.check': 'Check', 'stats.inspections': 'Inspections', 'stats.red': 'RED',
    'scanner.id': 'Scanner', 'scanner.state': 'State', 'scanner.firmware': 'Firmware', 'scanner.board': 'Board',
    'scanner.link': 'Link', 'scanner.last_seen': 'Last seen', 'scanner.health': 'Health',
    'scanner.online': 'online', 'scanner.offline': 'offline',
    'audit.verify': 'Verify the chain', 'audit.actor': 'Who', 'audit.action': 'Action', 'audit.subject': 'Subject',
    'audit.detail': 'Detail', 'audit.intact': 'Chain intact: {n} entries.', 'audit.broken': 'CHAIN BROKEN at entry {s}: {p}',
    'verdict.GREEN': 'GREEN', 'verdict.AMBER': 'AMBER', 'verdict.RED': 'RED',
    'detail.no_reasons': 'No anomaly found.', 'detail.fields': 'Machine readable zone', 'detail.images': 'Images',
    'detail.zoom': 'Zoom', 'detail.checks': 'Checks', 'detail.decision': 'Decision', 'detail.note': 'Note',
    'detail.record': 'Record decision', 'detail.decisions': 'Decisions so far', 'detail.purged': 'Personal data erased (retention).',
    'detail.noimage': 'no image', 'detail.saved': 'Decision recorded.',
    'light.white': 'White', 'light.ir': 'Infrared (870 nm)', 'light.uv': 'Ultraviolet (365 nm)',
    'check.id': 'Check', 'check.result': 'Result', 'check.margin': 'Margin', 'check.reason': 'Reason',
    'decision.released': 'Released', 'decision.referred': 'Referred to second line', 'decision.seized': 'Seized',
    'field.format': 'Format', 'field.document_code': 'Document code', 'field.issuing_state': 'Issuing state',
    'field.document_number': 'Document number', 'field.nationality': 'Nationality', 'field.surname': 'Surname',
    'field.given_names': 'Given names', 'field.birth_date': 'Date of birth', 'field.expiry_date': 'Date of expiry',
    'field.sex': 'Sex', 'field.scanner': 'Scanner', 'field.captured': 'Captured',
  },
  nl: {
    'nav.queue': 'Wachtrij', 'nav.search': 'Zoeken', 'nav.stats': 'Statistiek', 'nav.scanners': 'Scanners',
    'nav.audit': 'Auditlog', lang: 'Taal', logout: 'Afmelden',
    'login.title': 'Aanmelden', 'login.user': 'Gebruiker', 'login.password': 'Wachtwoord', 'login.submit': 'Aanmelden',
    'login.failed': 'Onjuiste gebruikersnaam of wachtwoord.',
    'queue.title': 'Live wachtrij', 'queue.pick': 'Kies een inspectie.',
    'search.from': 'Van', 'search.to': 'Tot en met', 'search.verdict': 'Oordeel', 'search.any': 'alle',
    'search.document_number': 'Documentnummer', 'search.issuing_state': 'Uitgevende staat', 'search.submit': 'Zoeken',
    'search.count': '{n} inspecties gevonden',
    'col.time': 'Tijd', 'col.verdict': 'Oordeel', 'col.document': 'Document', 'col.state': 'Staat',
    'col.name': 'Naam', 'col.decision': 'Besluit', 'col.scanner': 'Scanner',
    'stats.show': 'Toon', 'stats.per_day': 'Inspecties en ROOD per dag', 'stats.per_state': 'Per uitgevende staat',
    'stats.per_check': 'Mislukte controles', 'stats.totals': '{n} inspecties: {g} GROEN, {a} ORANJE, {r} ROOD',
    'stats.day': 'Dag', 'stats.state': 'Staat', 'stats.check': 'Controle', 'stats.inspections': 'Inspecties', 'stats.red': 'ROOD',
    'scanner.id': 'Scanner', 'scanner.state': 'Status', 'scanner.firmware': 'Firmware', 'scanner.board': 'Bord',
    'scanner.link': 'Verbinding', 'scanner.last_seen': 'Laatst gezien', 'scanner.health': 'Gezondheid',
    'scanner.online': 'verbonden', 'scanner.offline': 'niet verbonden',
    'audit.verify': 'Keten controleren', 'audit.actor': 'Wie', 'audit.action': 'Handeling', 'audit.subject': 'Onderwerp',
    'audit.detail': 'Details', 'audit.intact': 'Keten intact: {n} regels.', 'audit.broken': 'KETEN GEBROKEN bij regel {s}: {p}',
    'verdict.GREEN': 'GROEN', 'verdict.AMBER': 'ORANJE', 'verdict.RED': 'ROOD',
    'detail.no_reasons': 'Geen afwijking gevonden.', 'detail.fields': 'Machineleesbare zone', 'detail.images': 'Beelden',
    'detail.zoom': 'Zoom', 'detail.checks': 'Controles', 'detail.decision': 'Besluit', 'detail.note': 'Notitie',
    'detail.record': 'Besluit vastleggen', 'detail.decisions': 'Eerdere besluiten', 'detail.purged': 'Persoonsgegevens gewist (bewaartermijn).',
    'detail.noimage': 'geen beeld', 'detail.saved': 'Besluit vastgelegd.',
    'light.white': 'Wit', 'light.ir': 'Infrarood (870 nm)', 'light.uv': 'Ultraviolet (365 nm)',
    'check.id': 'Controle', 'check.result': 'Uitkomst', 'check.margin': 'Marge', 'check.reason': 'Reden',
    'decision.released': 'Doorgelaten', 'decision.referred': 'Naar tweede lijn', 'decision.seized': 'Ingenomen',
    'field.format': 'Formaat', 'field.document_code': 'Documentcode', 'field.issuing_state': 'Uitgevende staat',
    'field.document_number': 'Documentnummer', 'field.nationality': 'Nationaliteit', 'field.surname': 'Achternaam',
    'field.given_names': 'Voornamen', 'field.birth_date': 'Geboortedatum', 'field.expiry_date': 'Vervaldatum',
    'field.sex': 'Geslacht', 'field.scanner': 'Scanner', 'field.captured': 'Opgenomen',
  },
};

const state = {
  lang: localStorage.getItem('gw.lang') || 'en',
  csrf: '', user: '', role: '', maxSeq: 0, queue: [], selected: null, detail: null, zoom: 1, timer: null,
};

function t(key, vars) {
  let s = (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace('{' + k + '}', String(v));
  return s;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function fmtTime(ms) {
  const d = new Date(ms);
  return d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

function reasonText(r) { return r ? (r[state.lang] || r.en || '') : ''; }

async function api(path, opts) {
  const o = Object.assign({ credentials: 'same-origin', headers: {} }, opts || {});
  if (o.method && o.method !== 'GET') {
    o.headers['X-CSRF-Token'] = state.csrf;
    if (o.body !== undefined) { o.headers['Content-Type'] = 'application/json'; o.body = JSON.stringify(o.body); }
  }
  const res = await fetch(path, o);
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (res.status === 401 && path !== '/api/login') { showLogin(); }
  return { status: res.status, body };
}

function applyI18n() {
  document.documentElement.lang = state.lang;
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.getAttribute('data-i18n'));
  document.getElementById('lang').value = state.lang;
}

function showView(name) {
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== 'view-' + name;
  for (const b of document.querySelectorAll('#nav button')) b.classList.toggle('active', b.dataset.view === name);
  if (name === 'stats') loadStats();
  if (name === 'scanners') loadScanners();
  if (name === 'audit') loadAudit();
}

function showLogin() {
  if (state.timer) { clearInterval(state.timer); state.timer = null; }
  state.user = '';
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  showView('login');
}

function setAlarm(store) {
  const a = document.getElementById('alarm');
  if (store && store.ok === false) { a.hidden = false; a.textContent = store.alarm; } else { a.hidden = true; }
}

async function afterLogin() {
  document.getElementById('nav').hidden = false;
  document.getElementById('logout').hidden = false;
  document.getElementById('nav-audit').hidden = !(state.role === 'auditor' || state.role === 'supervisor');
  document.getElementById('who').textContent = state.user + ' (' + state.role + ')';
  state.queue = []; state.maxSeq = 0;
  document.getElementById('queue-list').replaceChildren();
  showView('queue');
  await pollQueue(true);
  state.timer = setInterval(() => pollQueue(false), 1000);
}

// ---- live queue ----
function queueItem(s, fresh) {
  const li = el('li', { class: fresh ? 'fresh' : '', 'data-id': s.id, 'data-verdict': s.verdict },
    el('span', { class: 'pill ' + s.verdict, text: t('verdict.' + s.verdict) }),
    el('span', {}, el('b', { text: s.document_number || '—' }), ' ', s.issuing_state || '',
      el('br'), el('small', { class: 'muted', text: fmtTime(s.capture_time_ms) + ' · ' + s.scanner }),
      s.reason && reasonText(s.reason) ? el('br') : null,
      s.reason && reasonText(s.reason) ? el('small', { text: reasonText(s.reason) }) : null));
  li.addEventListener('click', () => openInspection(s.id));
  if (state.selected === s.id) li.classList.add('selected');
  return li;
}

async function pollQueue(initial) {
  const path = initial ? '/api/inspections?limit=50' : '/api/inspections?limit=100&after_seq=' + state.maxSeq;
  const r = await api(path);
  if (r.status !== 200 || !r.body) return;
  setAlarm(r.body.store);
  const list = document.getElementById('queue-list');
  const items = r.body.items; // newest first
  for (let i = items.length - 1; i >= 0; --i) {
    const s = items[i];
    if (state.queue.some((q) => q.id === s.id)) continue;
    state.queue.unshift(s);
    list.prepend(queueItem(s, !initial));
  }
  while (state.queue.length > 200) { state.queue.pop(); list.lastChild.remove(); }
  state.maxSeq = Math.max(state.maxSeq, r.body.max_seq || 0);
}

// ---- inspection view ----
async function openInspection(id) {
  state.selected = id;
  for (const li of document.querySelectorAll('#queue-list li')) li.classList.toggle('selected', li.dataset.id === id);
  showView('queue');
  const r = await api('/api/inspections/' + id);
  if (r.status !== 200) return;
  state.detail = r.body;
  renderDetail();
}

function renderDetail() {
  const d = state.detail;
  const box = document.getElementById('detail');
  if (!d) return;
  const reasons = (d.reasons && d.reasons.length) ? d.reasons : (d.reason && reasonText(d.reason) ? [d.reason] : []);
  const banner = el('div', { class: 'verdict ' + d.verdict, id: 'verdict', 'data-verdict': d.verdict },
    el('div', { class: 'word', text: t('verdict.' + d.verdict) }),
    reasons.length ? el('ul', {}, ...reasons.map((x) => el('li', { text: reasonText(x) }))) :
      el('p', { text: t('detail.no_reasons') }));
  const f = d.mrz || {};
  const fieldKeys = ['document_number', 'issuing_state', 'surname', 'given_names', 'nationality', 'birth_date',
    'expiry_date', 'sex', 'document_code', 'format'];
  const fields = el('div', { class: 'fields' },
    ...fieldKeys.map((k) => el('div', {}, el('span', { text: t('field.' + k) }), el('b', { text: f[k] || '—' }))),
    el('div', {}, el('span', { text: t('field.scanner') }), el('b', { text: d.scanner })),
    el('div', {}, el('span', { text: t('field.captured') }), el('b', { text: fmtTime(d.capture_time_ms) })));

  const zoom = el('input', { type: 'range', min: 1, max: 3, step: 0.25, value: state.zoom, id: 'zoom' });
  const lights = el('div', { class: 'lights', id: 'lights' });
  lights.style.setProperty('--zoom', state.zoom);
  zoom.addEventListener('input', () => { state.zoom = Number(zoom.value); lights.style.setProperty('--zoom', state.zoom); });
  for (const light of ['white', 'ir', 'uv']) lights.append(lightFigure(d, light));

  const checks = el('table', { class: 'grid', id: 'checks' },
    el('thead', {}, el('tr', {}, ...['check.id', 'check.result', 'check.margin', 'check.reason'].map((k) => el('th', { text: t(k) })))),
    el('tbody', {}, ...(d.checks || []).map((c) => el('tr', { 'data-check': c.id },
      el('td', {}, c.id, c.tr03135_id ? el('small', { class: 'muted', text: ' ' + c.tr03135_id }) : null),
      el('td', { class: 'result-' + c.result, text: c.result }),
      el('td', { text: Number(c.margin).toFixed(2) }),
      el('td', { text: reasonText(c.reason) })))));

  const decisionForm = el('form', { class: 'decision', id: 'decision-form' },
    el('fieldset', {}, el('legend', { text: t('detail.decision') }),
      ...['released', 'referred', 'seized'].map((k) => el('label', {},
        el('input', { type: 'radio', name: 'decision', value: k, required: true }), ' ' + t('decision.' + k) + ' ')),
      el('label', { class: 'note' }, el('span', { text: t('detail.note') }), el('textarea', { name: 'note', maxLength: 4000 })),
      el('button', { type: 'submit', text: t('detail.record') }),
      el('span', { id: 'decision-status', class: 'muted' })));
  decisionForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(decisionForm);
    const r = await api('/api/inspections/' + d.id + '/decisions', { method: 'POST', body: { decision: fd.get('decision'), note: fd.get('note') || '' } });
    document.getElementById('decision-status').textContent = r.status === 201 ? t('detail.saved') : (r.body && r.body.message) || String(r.status);
    if (r.status === 201) openInspection(d.id);
  });
  const canDecide = state.role === 'officer' || state.role === 'supervisor';
  const decisions = el('ul', { id: 'decisions' }, ...(d.decisions || []).map((x) =>
    el('li', { text: fmtTime(x.time_ms) + ' · ' + x.user + ' · ' + t('decision.' + x.decision) + (x.note ? ' — ' + x.note : '') })));

  box.replaceChildren(...[banner,
    d.purged ? el('p', { class: 'muted', text: t('detail.purged') }) : null,
    el('div', { class: 'card' }, el('h3', { text: t('detail.fields') }), fields),
    el('div', { class: 'card' }, el('div', { class: 'lights-bar' }, el('h3', { text: t('detail.images') }),
      el('label', {}, t('detail.zoom') + ' ', zoom)), lights),
    el('div', { class: 'card' }, el('h3', { text: t('detail.checks') }), checks),
    el('div', { class: 'card' }, canDecide ? decisionForm : null, el('h4', { text: t('detail.decisions') }), decisions),
  ].filter((x) => x !== null));
}

// Regions are in document millimetres; the image is the normalised document, so the scale is the image
// width in pixels over geometry.width_mm (docs/report-format.md), applied to both axes.
function placeRegions(wrap, img, d) {
  for (const r of wrap.querySelectorAll('.region')) r.remove();
  const g = d.geometry || {};
  const widthMm = Number(g.width_mm) || 0;
  if (!widthMm || !img.naturalWidth) return;
  const pxPerMm = img.naturalWidth / widthMm;
  for (const c of d.checks || []) {
    if (c.result !== 'failed') continue;
    for (const rg of c.regions || []) {
      const box = el('div', { class: 'region', 'data-check': c.id }, el('span', { text: c.id }));
      box.style.left = (100 * rg.x_mm * pxPerMm / img.naturalWidth) + '%';
      box.style.top = (100 * rg.y_mm * pxPerMm / img.naturalHeight) + '%';
      box.style.width = (100 * rg.width_mm * pxPerMm / img.naturalWidth) + '%';
      box.style.height = (100 * rg.height_mm * pxPerMm / img.naturalHeight) + '%';
      wrap.append(box);
    }
  }
}

function lightFigure(d, light) {
  const fig = el('figure', { 'data-light': light, id: 'light-' + light }, el('figcaption', { text: t('light.' + light) }));
  if (!(d.images || []).includes(light)) { fig.append(el('p', { class: 'muted', text: t('detail.noimage') })); return fig; }
  const wrap = el('div', { class: 'imgwrap' });
  const img = el('img', { alt: light, src: '/api/inspections/' + d.id + '/images/' + light });
  img.addEventListener('load', () => placeRegions(wrap, img, d));
  img.addEventListener('click', () => {
    state.zoom = state.zoom >= 3 ? 1 : state.zoom + 1;
    const z = document.getElementById('zoom'); if (z) z.value = state.zoom;
    document.getElementById('lights').style.setProperty('--zoom', state.zoom);
  });
  wrap.append(img);
  fig.append(wrap);
  return fig;
}

// ---- search ----
async function runSearch(ev) {
  if (ev) ev.preventDefault();
  const fd = new FormData(document.getElementById('search-form'));
  const q = new URLSearchParams();
  for (const [k, v] of fd.entries()) if (v) q.set(k, k === 'issuing_state' || k === 'document_number' ? v.toUpperCase() : v);
  q.set('limit', '200');
  const r = await api('/api/inspections?' + q.toString());
  const body = document.querySelector('#search-results tbody');
  body.replaceChildren();
  if (r.status !== 200) { document.getElementById('search-count').textContent = (r.body && r.body.message) || String(r.status); return; }
  document.getElementById('search-count').textContent = t('search.count', { n: r.body.total });
  for (const s of r.body.items) {
    const tr = el('tr', { class: 'clickable', 'data-id': s.id },
      el('td', { text: fmtTime(s.capture_time_ms) }),
      el('td', {}, el('span', { class: 'pill ' + s.verdict, text: t('verdict.' + s.verdict) })),
      el('td', { text: s.document_number || '—' }), el('td', { text: s.issuing_state }),
      el('td', { text: [s.surname, s.given_names].filter(Boolean).join(', ') }),
      el('td', { text: s.decision ? t('decision.' + s.decision) : '' }), el('td', { text: s.scanner }));
    tr.addEventListener('click', () => openInspection(s.id));
    body.append(tr);
  }
}

// ---- statistics ----
function statRows(tbody, rows, keyName, keyLabel) {
  const max = Math.max(1, ...rows.map((r) => r.inspections));
  tbody.replaceChildren(el('tr', {}, el('th', { text: keyLabel }), el('th', { text: t('stats.inspections') }), el('th', { text: t('stats.red') }), el('th')));
  for (const r of rows) {
    const bar = el('span', { class: 'bar' }); bar.style.width = (12 * r.inspections / max) + 'rem';
    const red = el('span', { class: 'bar red' }); red.style.width = (12 * r.red / max) + 'rem';
    tbody.append(el('tr', {}, el('td', { text: r[keyName] || '—' }), el('td', { text: r.inspections }), el('td', { text: r.red }), el('td', {}, bar, el('br'), red)));
  }
}

async function loadStats(ev) {
  if (ev) ev.preventDefault();
  const fd = new FormData(document.getElementById('stats-form'));
  const q = new URLSearchParams();
  for (const [k, v] of fd.entries()) if (v) q.set(k, v);
  const r = await api('/api/statistics?' + q.toString());
  if (r.status !== 200) return;
  const s = r.body;
  document.getElementById('stats-totals').textContent = t('stats.totals', { n: s.inspections, g: s.green, a: s.amber, r: s.red });
  statRows(document.querySelector('#stats-day tbody'), s.per_day, 'day', t('stats.day'));
  statRows(document.querySelector('#stats-state tbody'), s.per_issuing_state, 'issuing_state', t('stats.state'));
  statRows(document.querySelector('#stats-check tbody'), s.per_failed_check, 'check', t('stats.check'));
}

// ---- scanners, audit ----
async function loadScanners() {
  const r = await api('/api/scanners');
  if (r.status !== 200) return;
  const body = document.querySelector('#scanners tbody');
  body.replaceChildren(...r.body.scanners.map((s) => el('tr', {},
    el('td', { text: s.device_id }), el('td', { text: t(s.connected ? 'scanner.online' : 'scanner.offline') }),
    el('td', { text: s.firmware }), el('td', { text: s.board }), el('td', { text: s.transport + ' ' + s.address }),
    el('td', { text: s.last_seen_ms ? fmtTime(s.last_seen_ms) : '' }), el('td', { text: JSON.stringify(s.health) }))));
}

async function loadAudit() {
  const r = await api('/api/audit?limit=500');
  if (r.status !== 200) return;
  const body = document.querySelector('#audit tbody');
  body.replaceChildren(...r.body.entries.reverse().map((e) => el('tr', {},
    el('td', { text: e.seq }), el('td', { text: fmtTime(e.time_ms) }), el('td', { text: e.actor }),
    el('td', { text: e.action }), el('td', { text: e.subject }), el('td', { text: e.detail }))));
}

async function verifyAudit() {
  const r = await api('/api/audit/verify');
  const out = document.getElementById('audit-result');
  if (r.status !== 200) { out.textContent = String(r.status); return; }
  out.textContent = r.body.intact ? t('audit.intact', { n: r.body.entries }) : t('audit.broken', { s: r.body.first_bad_seq, p: r.body.problem });
}

// ---- start ----
async function start() {
  applyI18n();
  document.getElementById('lang').addEventListener('change', (e) => {
    state.lang = e.target.value; localStorage.setItem('gw.lang', state.lang); applyI18n();
    if (state.detail) renderDetail();
    const list = document.getElementById('queue-list');
    list.replaceChildren(...state.queue.map((s) => queueItem(s, false)));
  });
  for (const b of document.querySelectorAll('#nav button')) b.addEventListener('click', () => showView(b.dataset.view));
  document.getElementById('search-form').addEventListener('submit', runSearch);
  document.getElementById('stats-form').addEventListener('submit', loadStats);
  document.getElementById('audit-verify').addEventListener('click', verifyAudit);
  document.getElementById('logout').addEventListener('click', async () => {
    await api('/api/logout', { method: 'POST' });
    const s = await api('/api/session'); state.csrf = s.body ? s.body.csrf : '';
    showLogin();
  });
  document.getElementById('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await api('/api/login', { method: 'POST', body: { user: document.getElementById('login-user').value, password: document.getElementById('login-password').value } });
    if (r.status !== 200) { document.getElementById('login-error').textContent = t('login.failed'); return; }
    document.getElementById('login-error').textContent = '';
    document.getElementById('login-password').value = '';
    state.csrf = r.body.csrf; state.user = r.body.user; state.role = r.body.role;
    afterLogin();
  });
  const s = await api('/api/session');
  if (s.body) state.csrf = s.body.csrf;
  if (s.body && s.body.logged_in) { state.user = s.body.user; state.role = s.body.role; afterLogin(); } else showLogin();
}

document.addEventListener('DOMContentLoaded', start);
