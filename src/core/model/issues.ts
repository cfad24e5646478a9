import type { z } from 'zod';

/** One problem found in an input, with the path of the key: `lines[1].quantity: must be a whole number of units`. */
export interface Issue {
  path: string;
  message: string;
}

/** Formats a zod path as `connectors[1].credentials.accessToken`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Turns zod issues into path + message pairs; a missing key reads "required". */
export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest rather than "invalid input".
      const best = issue.errors.reduce((a, b) => (a.length <= b.length ? a : b));
      for (const sub of best) out.push(toIssue(sub, [...prefix, ...issue.path]));
      continue;
    }
    out.push(toIssue(issue, prefix));
  }
  return out;
}

function toIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): Issue {
  const path = formatPath([...prefix, ...issue.path]);
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return { path, message: 'required' };
  }
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  return { path, message: issue.message };
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('\n');
}
