// The timeline: one lane per job, a mark per fire time in the next `hours` hours, drawn as
// plain SVG. Fire times come from the job's own trigger (`nextFireTimeMs`), starting at the
// job's next run time; a lane with more than MAX_MARKS fires in the window becomes a band.
const NS = 'http://www.w3.org/2000/svg';
const MAX_MARKS = 400;
const TOP = 26;
const LANE = 24;
export const COLORS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];

function el(name, attrs, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The fire times of `job` in [now, end], at most MAX_MARKS + 1 of them. */
function fireTimes(job, now, end) {
  const first = job.nextRunTime;
  if (!first) return [];
  const trigger = job.trigger;
  const times = [];
  for (let t = first.getTime(); t !== undefined && t <= end && times.length <= MAX_MARKS; t = trigger.nextFireTimeMs(t, t)) {
    if (t >= now) times.push(t);
  }
  return times;
}

const hhmm = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Redraws `svg` for `jobs` (with `colorOf(job.id)`), from `now` for `hours` hours. */
export function drawTimeline(svg, jobs, colorOf, now = Date.now(), hours = 24) {
  // Drawn at the element's own width (1 unit = 1 CSS pixel), so text keeps its size.
  const W = Math.max(560, Math.round(svg.getBoundingClientRect().width) || 1000);
  const LABEL = W < 800 ? 140 : 200;
  const chars = Math.floor((LABEL - 50) / 7);
  const end = now + hours * 3_600_000;
  const x = (t) => LABEL + ((t - now) / (end - now)) * (W - LABEL - 8);
  const height = TOP + Math.max(jobs.length, 1) * LANE + 6;
  svg.setAttribute('viewBox', `0 0 ${W} ${height}`);
  const nodes = [];
  // Hour grid in the browser's local time; labels every 3 h, the date at midnight.
  const first = new Date(now);
  first.setMinutes(0, 0, 0);
  for (let h = new Date(first.getTime() + 3_600_000); h.getTime() <= end; h = new Date(h.getTime() + 3_600_000)) {
    const hx = x(h.getTime());
    const midnight = h.getHours() === 0;
    nodes.push(el('line', { x1: hx, x2: hx, y1: TOP - 6, y2: height, class: midnight ? 'grid day' : 'grid' }));
    const day = h.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });
    if (midnight) nodes.push(el('text', { x: hx > W - 90 ? hx - 3 : hx + 3, y: 10, class: 'axis day', 'text-anchor': hx > W - 90 ? 'end' : 'start' }, day));
    else if (h.getHours() % 3 === 0) nodes.push(el('text', { x: hx, y: TOP - 9, class: 'axis', 'text-anchor': 'middle' }, hhmm(h.getTime())));
  }
  nodes.push(el('text', { x: LABEL, y: TOP - 9, class: 'axis now', 'text-anchor': 'middle' }, 'now'));
  if (jobs.length === 0) nodes.push(el('text', { x: LABEL + 10, y: TOP + 16, class: 'empty' }, 'no jobs'));
  jobs.forEach((job, i) => {
    const y = TOP + i * LANE;
    const color = colorOf(job.id);
    const lane = el('g', { class: 'lane', 'data-id': job.id });
    lane.append(el('rect', { x: 0, y: y + 1, width: W, height: LANE - 2, class: i % 2 ? 'stripe odd' : 'stripe' }));
    const label = job.id.length > chars ? `${job.id.slice(0, chars - 1)}…` : job.id;
    const times = job.nextRunTime ? fireTimes(job, now, end) : null;
    lane.append(el('text', { x: 6, y: y + LANE / 2 + 4, class: 'label' }, label));
    let summary;
    if (times === null) {
      summary = 'paused';
      lane.classList.add('paused');
    } else if (times.length > MAX_MARKS) {
      // Too many to draw: a band, and the count extrapolated from the first MAX_MARKS.
      const perDay = Math.round((MAX_MARKS * (end - now)) / (times[MAX_MARKS] - times[0]));
      summary = `≈${perDay.toLocaleString()}`;
      const band = el('rect', { x: x(times[0]), y: y + 6, width: x(end) - x(times[0]), height: LANE - 12, fill: color, class: 'band' });
      band.append(el('title', {}, `${job.id}: about ${perDay.toLocaleString()} fires in ${hours} h`));
      lane.append(band);
    } else {
      summary = String(times.length);
      for (const t of times) {
        const mark = el('line', { x1: x(t), x2: x(t), y1: y + 5, y2: y + LANE - 5, stroke: color, class: 'mark' });
        if (times.length <= 100) mark.append(el('title', {}, `${job.id}: ${new Date(t).toLocaleString()}`));
        lane.append(mark);
      }
    }
    lane.append(el('text', { x: LABEL - 8, y: y + LANE / 2 + 4, class: 'count', 'text-anchor': 'end' }, summary));
    nodes.push(lane);
  });
  nodes.push(el('line', { x1: LABEL, x2: LABEL, y1: TOP - 4, y2: height, class: 'nowline' }));
  svg.replaceChildren(...nodes);
}
