import axios, { type AxiosInstance } from 'axios';

/**
 * An axios instance for a connector client: the body comes back as text (parsed by the client
 * with `parseBody`, big ids intact) and no status throws, so the client classifies every answer.
 */
export function textHttp(timeoutMs: number): AxiosInstance {
  return axios.create({ timeout: timeoutMs, responseType: 'text', transformResponse: (b: unknown) => b, validateStatus: () => true });
}

/** The injected sleep (a test's virtual clock), else a real timer. */
export function sleepOf(deps: { sleep?: ((ms: number) => Promise<void>) | undefined }): (ms: number) => Promise<void> {
  return deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
}
