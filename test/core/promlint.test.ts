import { describe, expect, it } from 'vitest';
import { lintMetrics, parseExposition } from '../helpers/promlint.js';

describe('promlint (the rules of promtool check metrics)', () => {
  it('finds each problem promtool reports, and empty label values', () => {
    const text = [
      '# HELP a_total A gauge named like a counter',
      '# TYPE a_total gauge',
      'a_total 1',
      '# HELP b_requests A counter without _total',
      '# TYPE b_requests counter',
      'b_requests{path="/x"} 2',
      '# TYPE c_latency_milliseconds histogram',
      'c_latency_milliseconds_bucket{le="+Inf"} 1',
      'c_latency_milliseconds_sum 0.5',
      'c_latency_milliseconds_count 1',
      '# HELP d_size_mb Abbreviated',
      '# TYPE d_size_mb gauge',
      'd_size_mb{connector=""} 1',
      '# HELP eCamel camel',
      '# TYPE eCamel gauge',
      'eCamel{queueName="q"} 1',
    ].join('\n');
    const problems = lintMetrics(parseExposition(text)).map((p) => `${p.metric}: ${p.text}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'a_total: non-counter metrics should not have "_total" suffix',
        'b_requests: counter metrics should have "_total" suffix',
        'c_latency_milliseconds: no help text',
        'c_latency_milliseconds: use base unit "seconds" instead of "milliseconds"',
        'd_size_mb: metric names should not contain abbreviated units',
        expect.stringMatching(/^d_size_mb: series .* has an empty label "connector"/),
        "eCamel: metric names should be written in 'snake_case' not 'camelCase'",
        "eCamel: label queueName should be written in 'snake_case' not 'camelCase'",
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it('passes a clean exposition and refuses a malformed line', () => {
    const clean = '# HELP hub_jobs_processed_total Jobs\n# TYPE hub_jobs_processed_total counter\nhub_jobs_processed_total{queue="a \\"b\\""} 3\n';
    expect(lintMetrics(parseExposition(clean))).toEqual([]);
    expect(parseExposition(clean)[0]!.samples[0]!.labels).toEqual({ queue: 'a "b"' });
    expect(() => parseExposition('# TYPE x gauge\nx{a="1" 2')).toThrow(/line 2: malformed/);
  });
});
