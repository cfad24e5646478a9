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
      'connectors[shopify-main].credentials.accessToken: required',
      `connectors[amazon-eu].type: unknown connector type "amazon-sellers"; known types: ${knownConnectorTypes().join(', ')}`,
      'channels[web].locations[1]: unknown location "wh-nowhere"',
    ]);
  });

  it("uses HUB_CONFIG when no file is given and notes a missing variable without its neighbours' values; --require-env refuses it", async () => {
    const env = { HUB_CONFIG: 'test/fixtures/config/env-refs.yaml', SHOP_TOKEN: 'shpat_secret_value', SHOP_SECRET: undefined };
    const noted = await runHub(['config', 'validate'], env);
    expect(noted.code).toBe(0);
    expect(noted.stderr).toContain('note: connectors[shopify-main].credentials.webhookSecret: environment variable SHOP_SECRET is not set; hub start needs it');
    expect(noted.stdout).toContain('valid');
    const strict = await runHub(['config', 'validate', '--require-env'], env);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('connectors[shopify-main].credentials.webhookSecret: environment variable SHOP_SECRET is not set');
    expect(noted.stderr + noted.stdout + strict.stderr + strict.stdout).not.toContain('shpat_secret_value');
  });

  it('runs the first command of the 3PL example as written, its secret unset', async () => {
    const result = await runHub(['config', 'validate', 'config/examples/acme-3pl.yaml'], { ACME_WEBHOOK_SECRET: undefined });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /acme-3pl\.yaml: valid \(2 locations, 1 channels, 1 connectors, 1 API tokens\); 1 environment variable\(s\) to set before hub start/,
    );
    expect(result.stderr).toContain('note: connectors[acme-3pl].credentials.hmacSecret: environment variable ACME_WEBHOOK_SECRET is not set');
  });

  it('exits 1 naming the file when it cannot be read', async () => {
    const result = await runHub(['config', 'validate', 'config/missing.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/missing\.yaml: cannot read \(ENOENT\)/);
  });
});
