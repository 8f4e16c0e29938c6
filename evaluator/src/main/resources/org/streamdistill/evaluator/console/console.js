// The console page: polls /api/state and draws it. Charts are uPlot's (served from the webjar);
// tables and the flow picture are plain DOM/SVG built with textContent, never innerHTML.
'use strict';

const REFRESH_MS = 1000;
const COLORS = ['#4a6fa5', '#c62828', '#1a7f37', '#b58100', '#6a1b9a', '#00838f', '#ef6c00', '#5d4037'];
const charts = {};
window.consoleCharts = charts; // for people poking at the page (and the browser test)
let decisions = [];

function el(tag, attrs, text) {
  const node = document.createElementNS(tag === 'svg' || attrs.svg ? 'http://www.w3.org/2000/svg'
    : 'http://www.w3.org/1999/xhtml', tag);
  for (const [k, v] of Object.entries(attrs)) { if (k !== 'svg') node.setAttribute(k, v); }
  if (text !== undefined) node.textContent = text;
  return node;
}

function num(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return digits === undefined ? v.toLocaleString('en') : v.toFixed(digits);
}

function time(seconds) { return new Date(seconds * 1000).toLocaleTimeString(); }

function fillTable(id, rows) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren(...rows.map(cells => {
    const tr = el('tr', cells.attrs || {});
    for (const c of cells.values) {
      tr.appendChild(el('td', c.cls ? { class: c.cls } : {}, c.text));
    }
    return tr;
  }));
}

// One uPlot line chart per element id, recreated when its series change, else given new data.
function lineChart(id, title, names, xs, ys, extra) {
  const key = names.join('\u0000');
  const holder = document.getElementById(id);
  let chart = charts[id];
  if (chart && chart.seriesKey !== key) { chart.destroy(); chart = null; }
  if (!chart) {
    const opts = Object.assign({
      title, width: Math.max(320, holder.clientWidth || 480), height: 200,
      scales: { x: { time: true } },
      // room for '50,000' beside the y axis (uPlot's default width cuts five-digit figures)
      axes: [{}, { size: 64 }],
      series: [{}].concat(names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], spanGaps: true, width: 2 }))),
    }, extra || {});
    chart = new uPlot(opts, [xs].concat(ys), holder);
    chart.seriesKey = key;
    charts[id] = chart;
  } else {
    chart.setData([xs].concat(ys));
  }
}

// Draws each promotion (green) and rollback (red) as a vertical line on a chart.
const decisionMarks = {
  hooks: {
    draw: [u => {
      const ctx = u.ctx;
      const [min, max] = [u.scales.x.min, u.scales.x.max];
      ctx.save();
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.font = (10 * devicePixelRatio) + 'px sans-serif';
      for (const d of decisions) {
        if (d.t < min || d.t > max) continue;
        const x = u.valToPos(d.t, 'x', true);
        ctx.strokeStyle = ctx.fillStyle = d.decision === 'ROLLBACK' ? '#c62828' : '#1a7f37';
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.fillText(d.to, x + 3, u.bbox.top + 10 * devicePixelRatio);
      }
      ctx.restore();
    }],
  },
};

// Series from the keyed arrays of the history (one per group or topic), aligned on history.t.
function keyedSeries(id, title, t, keyed) {
  const names = Object.keys(keyed).sort();
  lineChart(id, title, names, t, names.map(n => keyed[n]));
}

// Model series: one per role (challenger, champion, previous) of the preferred window type. A
// role's line runs on across model versions, so the student's progress shows as one curve, and
// the promotion marks say where the champion changed; a line per version would show dozens of
// short flat pieces instead.
function modelChart(id, title, models, field) {
  const windowType = models.some(p => p.window === 'last_turns') ? 'last_turns' : 'time';
  const points = models.filter(p => p.window === windowType && p[field] !== null);
  const names = [...new Set(points.map(p => p.role))].sort();
  const xs = [...new Set(points.map(p => p.t))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = names.map(() => xs.map(() => null));
  for (const p of points) {
    ys[names.indexOf(p.role)][index.get(p.t)] = p[field];
  }
  lineChart(id, title + (windowType === 'last_turns' ? ' (last turns)' : ' (time windows)'), names, xs, ys,
    { plugins: [decisionMarks], scales: { x: { time: true }, y: { range: [0, 1] } } });
}

function stageLag(lag, suffix) {
  return lag.find(g => g.group === suffix || g.group.endsWith('-' + suffix));
}

function rate(rates, suffix) {
  const name = Object.keys(rates).find(n => n === suffix || n.endsWith('.' + suffix));
  return name === undefined ? null : rates[name];
}

function drawFlow(s) {
  const svg = document.getElementById('flow');
  const nodes = [
    { label: 'ingest / replay', kind: 'stage' },
    { label: 'dialogue.turns', kind: 'topic', rate: rate(s.rates, 'dialogue.turns') },
    { label: 'teacher-stream', kind: 'stage', lag: stageLag(s.lag, 'teacher-stream') },
    { label: 'teacher.soft-labels', kind: 'topic', rate: rate(s.rates, 'teacher.soft-labels') },
    { label: 'student-trainer', kind: 'stage', lag: stageLag(s.lag, 'student-trainer') },
    { label: 'student.predictions', kind: 'topic', rate: rate(s.rates, 'student.predictions') },
    { label: 'evaluator', kind: 'stage', lag: stageLag(s.lag, 'streamdistill-evaluator') },
  ];
  const w = 120, gap = 1000 / nodes.length;
  const children = [];
  nodes.forEach((n, i) => {
    const x = i * gap + 8;
    children.push(el('rect', { svg: 1, x, y: 40, width: w, height: 60, rx: n.kind === 'stage' ? 8 : 0, class: n.kind }));
    children.push(el('text', { svg: 1, x: x + w / 2, y: 64 }, n.label));
    if (n.kind === 'topic') {
      children.push(el('text', { svg: 1, x: x + w / 2, y: 84 }, n.rate === null ? '–' : num(n.rate, 1) + ' /s'));
    } else if (n.lag) {
      children.push(el('text', { svg: 1, x: x + w / 2, y: 84, class: n.lag.status },
        n.lag.status + ' · lag ' + num(n.lag.records)));
    }
    if (i > 0) {
      children.push(el('line', { svg: 1, x1: x - gap + w + 8, y1: 70, x2: x, y2: 70, stroke: '#888' }));
    }
  });
  children.push(el('text', { svg: 1, x: 992, y: 125, class: 'note' }, '→ evaluator.metrics · model.promotions'));
  svg.replaceChildren(...children);
}

function render(s) {
  document.getElementById('updated').textContent = s.sampledAt ? 'updated ' + time(s.sampledAt) : 'waiting…';
  decisions = s.decisions;

  const c = s.champion;
  document.getElementById('champion').textContent = c.version || 'none yet';
  document.getElementById('champion-since').textContent = c.since ? 'since ' + time(c.since) : '';
  document.getElementById('latest-checkpoint').textContent =
    c.latestCheckpoint ? c.latestCheckpoint + ' (' + c.checkpoints + ' checkpoints)' : 'none';
  document.getElementById('fetch-champion').textContent =
    'curl -s ' + s.serveUrl + '/v1/champion\n'
    + 'curl -s -X POST ' + s.serveUrl + "/v1/classify -H 'Content-Type: application/json' -d '{\"text\": \"I lost my card\"}'"
    + (c.onnxUri ? '\n# or load its ONNX export: ' + c.onnxUri : '');

  drawFlow(s);
  fillTable('lag-table', s.lag.map(g => ({
    attrs: { 'data-group': g.group, title: g.meaning },
    values: [{ text: g.group }, { text: g.status, cls: 'status-' + g.status },
      { text: num(g.records), cls: 'num' }, { text: num(g.seconds, 1), cls: 'num' }],
  })));
  fillTable('promotions', s.decisions.slice().reverse().map(d => ({
    attrs: { 'data-decision': d.decision },
    values: [{ text: time(d.t) }, { text: d.decision, cls: d.decision === 'ROLLBACK' ? 'status-STOP' : 'status-OK' },
      { text: (d.from || 'none') + ' → ' + d.to }, { text: d.metric }, { text: num(d.pairedTurns), cls: 'num' },
      { text: num(d.championScore, 3) + ' vs ' + num(d.challengerScore, 3) },
      { text: d.pValue === null ? '–' : d.pValue.toExponential(1), cls: 'num' }],
  })));
  document.getElementById('holds').textContent = s.holds + ' evaluations held the champion.';
  fillTable('dead-letters', s.deadLetters.map(d => ({
    attrs: { 'data-reason': d.reason },
    values: [{ text: d.topic }, { text: d.reason }, { text: num(d.count), cls: 'num' }],
  })));

  const h = s.history;
  keyedSeries('chart-lag-records', 'lag, records', h.t, h.lagRecords);
  keyedSeries('chart-lag-seconds', 'lag, seconds (oldest unconsumed record)', h.t, h.lagSeconds);
  keyedSeries('chart-throughput', 'records appended per second', h.t, h.rates);
  const seconds = ms => ms.map(v => (v === null ? null : v / 1000));
  lineChart('chart-latency', 'seconds from a turn entering Kafka to its soft label (teacher) or prediction (student)',
    ['teacher p50', 'teacher p95', 'student p50', 'student p95'], h.t, [h.teacherLatencyP50Ms, h.teacherLatencyP95Ms,
      h.studentLatencyP50Ms, h.studentLatencyP95Ms].map(seconds));
  modelChart('chart-agreement', 'agreement with the teacher', s.models, 'agreement');
  modelChart('chart-gold', 'gold accuracy', s.models, 'goldAccuracy');
}

async function refresh() {
  try {
    const response = await fetch('/api/state', { cache: 'no-store' });
    render(await response.json());
  } catch (e) {
    document.getElementById('updated').textContent = 'console unreachable: ' + e;
    console.error(e);
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
