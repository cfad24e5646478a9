import { describe, expect, it } from 'vitest';
import { knownConnectorTypes } from '../../src/connectors/registry.js';
import { runHub } from '../helpers/cli.js';

describe('hub config validate', () => {
  it('exits 0 on the shipped config/hub.yaml', async () => {
    const result = await runHub(['config', 'validate', 'config/hub.yaml']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/hub\.yaml: valid \(3 locations, 2 channels, 1 connectors, 1 API tokens\)/);
    expect(result.code).toBe(0);
  });

  it('prints three errors with their key paths and exits 1 for a config with three mistakes', async () => {
    const result = await runHub(['config', 'validate', 'test/fixtures/config/three-mistakes.yaml']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/three-mistakes\.yaml: 3 problems$/);
    expect(lines.slice(1).map((l) => l.trim())).toEqual([
      'connectors[0].credentials.accessToken: required',
      `connectors[1].type: unknown connector type "amazon-sellers"; known types: ${knownConnectorTypes().join(', ')}`,
      'channels[0].locations[1]: unknown location "wh-nowhere"',
    ]);
  });

  it('uses HUB_CONFIG when no file is given and names a missing variable without its neighbours\' values', async () => {
    const result = await runHub(['config', 'validate'], {
      HUB_CONFIG: 'test/fixtures/config/env-refs.yaml',
      SHOP_TOKEN: 'shpat_secret_value',
      SHOP_SECRET: undefined,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('connectors[0].credentials.webhookSecret: environment variable SHOP_SECRET is not set');
    expect(result.stderr + result.stdout).not.toContain('shpat_secret_value');
  });

  it('exits 1 naming the file when it cannot be read', async () => {
    const result = await runHub(['config', 'validate', 'config/missing.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/missing\.yaml: cannot read \(ENOENT\)/);
  });
});
