import { describe, expect, it } from 'vitest';
import { Metrics } from '../src/lib/metrics.js';

describe('Metrics', () => {
  it('renders counters and gauges in the Prometheus text format', () => {
    const metrics = new Metrics();
    metrics.declare('ccm_updates_total', 'Updates handled.');
    metrics.inc('ccm_commands_total', 'Commands by name.', { command: 'strike' });
    metrics.inc('ccm_commands_total', 'Commands by name.', { command: 'strike' });
    metrics.inc('ccm_commands_total', 'Commands by name.', { command: 'rules' });
    metrics.set('ccm_outbox_pending', 'Actions waiting.', 7);
    metrics.inc('ccm_weird_total', 'Escaping.', { value: 'a"b\\c\nd' });
    expect(metrics.render()).toBe(
      [
        '# HELP ccm_updates_total Updates handled.',
        '# TYPE ccm_updates_total counter',
        '# HELP ccm_commands_total Commands by name.',
        '# TYPE ccm_commands_total counter',
        'ccm_commands_total{command="strike"} 2',
        'ccm_commands_total{command="rules"} 1',
        '# HELP ccm_outbox_pending Actions waiting.',
        '# TYPE ccm_outbox_pending gauge',
        'ccm_outbox_pending 7',
        '# HELP ccm_weird_total Escaping.',
        '# TYPE ccm_weird_total counter',
        'ccm_weird_total{value="a\\"b\\\\c\\nd"} 1',
        '',
      ].join('\n'),
    );
    expect(metrics.get('ccm_commands_total', { command: 'strike' })).toBe(2);
  });
});
