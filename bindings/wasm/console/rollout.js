// The rollout panel: a rollout's stages, which of a device list is in each stage (the core's
// position and stage for each id), and the halt rule's verdict for a stage's counts.
import { esc } from './util.js';

export const EXAMPLE_ROLLOUT = {
  salt: 'campaign-67000',
  schedule: { stages: [{ fraction_ppm: 10000, min_soak_secs: 86400 }, { fraction_ppm: 100000, min_soak_secs: 86400 }, { fraction_ppm: 1000000 }] },
  halt: { max_failure_rate_ppm: 50000, min_finished: 100, confidence: { z_num: 196, z_den: 100 } },
};

/** Device ids, one a line (blank lines skipped, spaces around an id trimmed). */
export const deviceIds = (text) => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');

const pct = (ppm) => `${(ppm / 10000).toFixed(4).replace(/\.?0+$/, '')}%`;

/** The rollout's stages as rows: {fraction_ppm, min_soak_secs} (a ramp is one stage). */
export function stagesOf(spec) {
  if (spec.schedule.stages) return spec.schedule.stages;
  return [{ ramp: spec.schedule.ramp }];
}

/** Each device's position and stage: [{id, position, stage}]. */
export const assign = (rollout, ids) => ids.map((id) => {
  const position = rollout.position(id);
  return { id, position, stage: rollout.stageOf(position) };
});

export function stagesHtml(spec, devices) {
  const stages = stagesOf(spec);
  const byStage = stages.map(() => []);
  for (const d of devices) byStage[d.stage]?.push(d);
  const rows = stages.map((s, i) => {
    const what = s.ramp ? `a ramp from ${pct(s.ramp.start_ppm ?? 0)} to 100% over ${s.ramp.duration_secs.toLocaleString('en')} s` :
      `open to ${pct(s.fraction_ppm)} of the fleet${s.min_soak_secs ? `, soaks ${s.min_soak_secs.toLocaleString('en')} s` : ''}`;
    const ids = byStage[i];
    const list = ids.slice(0, 12).map((d) => `<code>${esc(d.id)}</code>`).join(' ') + (ids.length > 12 ? ` … ${ids.length - 12} more` : '');
    return `<tr data-stage="${i}"><td>${i}</td><td>${what}</td><td class="n">${ids.length.toLocaleString('en')}</td><td>${list}</td></tr>`;
  }).join('');
  return `<table class="hops" id="rollout-stages"><tr><th>stage</th><th>schedule</th><th>devices</th><th>which</th></tr>${rows}</table>`;
}

export function devicesHtml(devices, shown = 200) {
  const rows = devices.slice(0, shown).map((d) => `<tr><td><code>${esc(d.id)}</code></td><td><code>${esc(d.position)}</code></td><td>${d.stage}</td></tr>`).join('');
  const more = devices.length > shown ? `<p>first ${shown} of ${devices.length.toLocaleString('en')} devices shown.</p>` : '';
  return `<details><summary>each device's position and stage</summary><table class="hops" id="rollout-positions"><tr><th>device</th><th>position</th><th>stage</th></tr>${rows}</table>${more}</details>`;
}

/** The halt verdict for a stage's counts, as HTML. */
export function haltHtml(stage, stats, code) {
  const counts = `stage ${stage}: ${stats.failed.toLocaleString('en')} failed of ${stats.finished.toLocaleString('en')} finished`;
  return code === null
    ? `<div class="ok" id="halt-verdict">${counts}: <b>carry on</b>, no halt rule trips</div>`
    : `<div class="error" id="halt-verdict">${counts}: <b>halt</b>, <code>${esc(code)}</code> trips</div>`;
}
