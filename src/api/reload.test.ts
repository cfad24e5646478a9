import { describe, expect, it } from 'vitest';
import { diffConfigs } from './reload.js';

describe('diffConfigs', () => {
  it('keys connectors by id, masks secrets and lists added and removed leaves', () => {
    const before = { server: { port: 1 }, connectors: [{ id: 'a', settings: { x: 1 }, credentials: { hmacSecret: 'old-secret' } }] };
    const after = { server: { port: 1 }, connectors: [{ id: 'b', settings: {}, credentials: { apiKey: 'b-key' } }, { id: 'a', settings: { x: 2 }, credentials: { hmacSecret: 'new-secret' } }] };
    const changes = diffConfigs(before, after);
    expect(changes).toEqual([
      { path: 'connectors[a].settings.x', before: 1, after: 2 },
      { path: 'connectors[a].credentials.hmacSecret', before: '[redacted]', after: '[redacted]' },
      { path: 'connectors[b]', after: { id: 'b', settings: {}, credentials: '[redacted]' } },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/old-secret|new-secret|b-key/);
  });
});
