import nock from 'nock';
import { afterEach, beforeEach, expect } from 'vitest';

/**
 * Registers hooks that start every test with no interceptor and fail a test that left one
 * unanswered: a mocked call the code under test never made is a missed expectation.
 */
export function expectEveryMockUsed(): void {
  beforeEach(() => nock.cleanAll());
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });
}
