import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../core/errors.js';
import { createQboClient } from './client.js';
import { REFRESH_TOKEN_KEY } from './oauth.js';
import { QboCustomerSchema } from './shapes.js';
import { API, COMPANY, TOKEN_HOST, TOKEN_PATH, logger, recordingState, testConfig } from './test-kit.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const token = (access: string, refresh: string) => ({
  access_token: access,
  refresh_token: refresh,
  expires_in: 3600,
  x_refresh_token_expires_in: 8726400,
  token_type: 'bearer',
});
const customer = { Customer: { Id: '58', SyncToken: '0', DisplayName: 'Ada' }, time: '2026-03-02T10:00:00-08:00' };

expectEveryMockUsed();

describe('QuickBooks OAuth refresh with rotating refresh tokens', () => {
  it('stores the rotated refresh token before the new access token is used', async () => {
    const kit = recordingState();
    const order: string[] = [];
    nock(TOKEN_HOST)
      .post(TOKEN_PATH, (b) => b.grant_type === 'refresh_token' && b.refresh_token === 'rt-config')
      .basicAuth({ user: 'client-id', pass: 'client-secret' })
      .reply(200, () => (order.push('token endpoint'), token('at-1', 'rt-2')));
    nock(API)
      .get(`${COMPANY}/customer/58`)
      .query(true)
      .matchHeader('authorization', 'Bearer at-1')
      .reply(200, () => (order.push(`api call (stored: ${kit.values.get(REFRESH_TOKEN_KEY)})`), customer));
    const client = createQboClient(testConfig(), { logger, state: kit.state });
    await client.read('Customer', '58', QboCustomerSchema);
    expect(order).toEqual(['token endpoint', 'api call (stored: rt-2)']);
    expect(kit.log).toEqual([`set ${REFRESH_TOKEN_KEY}=rt-2`]);
  });

  it('starts from the stored refresh token, not the configured one', async () => {
    const kit = recordingState({ [REFRESH_TOKEN_KEY]: 'rt-stored' });
    nock(TOKEN_HOST)
      .post(TOKEN_PATH, (b) => b.refresh_token === 'rt-stored')
      .reply(200, token('at-1', 'rt-stored'));
    nock(API).get(`${COMPANY}/customer/58`).query(true).reply(200, customer);
    await createQboClient(testConfig(), { logger, state: kit.state }).read('Customer', '58', QboCustomerSchema);
    expect(kit.log).toEqual([]);
  });

  it('makes no API call when the rotated token cannot be stored, and recovers from what is on disk', async () => {
    const kit = recordingState({ [REFRESH_TOKEN_KEY]: 'rt-1' });
    kit.failSetsFrom(true);
    // The "crash": the token endpoint rotated, the write never committed.
    nock(TOKEN_HOST)
      .post(TOKEN_PATH, (b) => b.refresh_token === 'rt-1')
      .reply(200, token('at-lost', 'rt-2'));
    const api = nock(API).get(`${COMPANY}/customer/58`).query(true).matchHeader('authorization', 'Bearer at-lost').reply(200, customer);
    const client = createQboClient(testConfig(), { logger, state: kit.state });
    await expect(client.read('Customer', '58', QboCustomerSchema)).rejects.toThrow('database unavailable');
    expect(api.isDone()).toBe(false);
    nock.cleanAll();

    // A new process reads rt-1 again; Intuit still honours it after a rotation and rotates anew.
    kit.failSetsFrom(false);
    nock(TOKEN_HOST)
      .post(TOKEN_PATH, (b) => b.refresh_token === 'rt-1')
      .reply(200, token('at-2', 'rt-3'));
    nock(API).get(`${COMPANY}/customer/58`).query(true).matchHeader('authorization', 'Bearer at-2').reply(200, customer);
    await createQboClient(testConfig(), { logger, state: kit.state }).read('Customer', '58', QboCustomerSchema);
    expect(kit.values.get(REFRESH_TOKEN_KEY)).toBe('rt-3');
  });

  it('refreshes once for many concurrent calls', async () => {
    const kit = recordingState();
    nock(TOKEN_HOST).post(TOKEN_PATH).once().reply(200, token('at-1', 'rt-2'));
    nock(API).get(`${COMPANY}/customer/58`).query(true).times(5).matchHeader('authorization', 'Bearer at-1').reply(200, customer);
    const client = createQboClient(testConfig(), { logger, state: kit.state });
    await Promise.all(Array.from({ length: 5 }, () => client.read('Customer', '58', QboCustomerSchema)));
    expect(client.tokens.refreshes).toBe(1);
  });

  it('refreshes and resends once when the API refuses an access token (401)', async () => {
    const kit = recordingState();
    nock(TOKEN_HOST).post(TOKEN_PATH).reply(200, token('at-1', 'rt-2'));
    nock(API)
      .get(`${COMPANY}/customer/58`)
      .query(true)
      .matchHeader('authorization', 'Bearer at-1')
      .reply(401, { fault: { error: [{ message: 'AuthenticationFailed' }] } });
    nock(TOKEN_HOST)
      .post(TOKEN_PATH, (b) => b.refresh_token === 'rt-2')
      .reply(200, token('at-2', 'rt-3'));
    nock(API).get(`${COMPANY}/customer/58`).query(true).matchHeader('authorization', 'Bearer at-2').reply(200, customer);
    const client = createQboClient(testConfig(), { logger, state: kit.state });
    await client.read('Customer', '58', QboCustomerSchema);
    expect(kit.values.get(REFRESH_TOKEN_KEY)).toBe('rt-3');
  });

  it('uses a token another process stored when its own was already rotated (invalid_grant)', async () => {
    const kit = recordingState({ [REFRESH_TOKEN_KEY]: 'rt-1' });
    nock(TOKEN_HOST)
      .post(TOKEN_PATH, (b) => b.refresh_token === 'rt-1')
      .reply(400, () => {
        kit.values.set(REFRESH_TOKEN_KEY, 'rt-2'); // the other process committed its rotation meanwhile
        return { error: 'invalid_grant' };
      });
    nock(TOKEN_HOST)
      .post(TOKEN_PATH, (b) => b.refresh_token === 'rt-2')
      .reply(200, token('at-9', 'rt-2'));
    nock(API).get(`${COMPANY}/customer/58`).query(true).matchHeader('authorization', 'Bearer at-9').reply(200, customer);
    const read = await createQboClient(testConfig(), { logger, state: kit.state }).read('Customer', '58', QboCustomerSchema);
    expect(read).toBeDefined();
    expect(nock.isDone()).toBe(true);
  });

  it('fails as an auth error, without retrying, when the refresh token is revoked', async () => {
    nock(TOKEN_HOST).post(TOKEN_PATH).reply(400, { error: 'invalid_grant' });
    const client = createQboClient(testConfig(), { logger, state: recordingState().state });
    const err = await client.read('Customer', '58', QboCustomerSchema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).not.toContain('rt-config');
  });
});
