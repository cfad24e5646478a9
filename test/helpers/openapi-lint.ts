/**
 * The checks of the Spectral `spectral:oas` and Redocly `recommended` rulesets that apply to an
 * OpenAPI 3.0 document built in code, as a test with no dependency: each problem names its rule
 * (as those linters do) and where. https://docs.stoplight.io/docs/spectral/4dec24461f3af-open-api-rules
 * https://redocly.com/docs/cli/rules/recommended
 */
type Json = Record<string, any>;

export interface LintProblem {
  rule: string;
  where: string;
  message: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const segments = (path: string) => path.split('/').filter(Boolean);
const isTemplate = (s: string) => /^\{[^}]+\}$/.test(s);

/** Two paths one request could match, neither more specific (Redocly no-ambiguous-paths). */
export function ambiguous(a: string, b: string): boolean {
  const x = segments(a);
  const y = segments(b);
  if (x.length !== y.length) return false;
  let aWider = false;
  let bWider = false;
  for (let i = 0; i < x.length; i++) {
    const [p, q] = [x[i]!, y[i]!];
    if (isTemplate(p) && !isTemplate(q)) aWider = true;
    else if (!isTemplate(p) && isTemplate(q)) bWider = true;
    else if (!isTemplate(p) && p !== q) return false;
  }
  return aWider && bWider;
}

export function lintOpenApi(doc: Json): LintProblem[] {
  const out: LintProblem[] = [];
  const add = (rule: string, where: string, message: string) => out.push({ rule, where, message });
  if (!doc.info?.description) add('info-description', 'info', 'info.description is missing');
  if (!doc.info?.contact) add('info-contact', 'info', 'info.contact is missing');
  if (!doc.info?.license?.name) add('info-license', 'info', 'info.license is missing');
  if (!Array.isArray(doc.servers) || doc.servers.length === 0) add('oas3-api-servers', 'servers', 'no servers');
  const tags = new Map<string, Json>((doc.tags ?? []).map((t: Json) => [t.name, t]));
  for (const t of tags.values()) if (!t.description) add('tag-description', `tags.${t.name}`, 'tag without description');
  const schemes = doc.components?.securitySchemes ?? {};
  const operationIds = new Map<string, string>();
  const paths = Object.keys(doc.paths ?? {});
  const usedRefs = new Set<string>();
  JSON.stringify(doc, (k, v) => (k === '$ref' && typeof v === 'string' ? (usedRefs.add(v), v) : v));
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    if (!usedRefs.has(`#/components/schemas/${name}`)) add('no-unused-components', `components.schemas.${name}`, 'never referenced');
  }
  paths.forEach((path, i) => {
    if (path.length > 1 && path.endsWith('/')) add('no-path-trailing-slash', path, 'trailing slash');
    if (path.includes('?')) add('path-not-include-query', path, 'query string in a path');
    for (const other of paths.slice(i + 1)) {
      if (
        segments(path)
          .map((s) => (isTemplate(s) ? '{}' : s))
          .join('/') ===
        segments(other)
          .map((s) => (isTemplate(s) ? '{}' : s))
          .join('/')
      )
        add('no-identical-paths', path, `identical to ${other}`);
      else if (ambiguous(path, other)) add('no-ambiguous-paths', path, `ambiguous with ${other}`);
    }
    const templated = (path.match(/\{([^}]+)\}/g) ?? []).map((t) => t.slice(1, -1));
    for (const [method, op] of Object.entries(doc.paths[path] as Json)) {
      if (!METHODS.includes(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId) add('operation-operationId', where, 'no operationId');
      else if (operationIds.has(op.operationId))
        add('operation-operationId-unique', where, `operationId ${op.operationId} also on ${operationIds.get(op.operationId)}`);
      else operationIds.set(op.operationId, where);
      if (!op.summary) add('operation-summary', where, 'no summary');
      if (!op.description) add('operation-description', where, 'no description');
      if (!op.tags?.length) add('operation-tags', where, 'no tags');
      for (const t of op.tags ?? []) if (!tags.has(t)) add('operation-tag-defined', where, `tag ${t} is not in the global tags`);
      const params: Json[] = op.parameters ?? [];
      const declared = params.filter((p) => p.in === 'path').map((p) => p.name);
      for (const t of templated) if (!declared.includes(t)) add('path-parameters-defined', where, `path parameter {${t}} not declared`);
      for (const d of declared) if (!templated.includes(d)) add('path-parameters-defined', where, `parameter ${d} is not in the path`);
      const seen = new Set<string>();
      for (const p of params) {
        const key = `${p.in}:${p.name}`;
        if (seen.has(key)) add('operation-parameters-unique', where, `${key} twice`);
        seen.add(key);
        if (!p.description) add('parameter-description', where, `${key} has no description`);
      }
      const security = op.security ?? doc.security ?? [];
      for (const req of security) for (const s of Object.keys(req)) if (!schemes[s]) add('security-defined', where, `security scheme ${s} is not defined`);
      const statuses = Object.keys(op.responses ?? {});
      if (!statuses.some((s) => /^2\d\d$/.test(s))) add('operation-2xx-response', where, 'no success response');
      if (!statuses.some((s) => /^4\d\d$/.test(s)) && !(method === 'get' && op.security?.length === 0)) add('operation-4xx-response', where, 'no 4xx response');
      for (const [s, r] of Object.entries<Json>(op.responses ?? {})) {
        if (!r.description) add('response-description', `${where} ${s}`, 'no description');
        for (const [type, media] of Object.entries<Json>(r.content ?? {})) {
          if (media.example === undefined && !media.examples) add('operation-example', `${where} ${s} ${type}`, 'no example');
        }
      }
      if (op.requestBody)
        for (const [type, media] of Object.entries<Json>(op.requestBody.content ?? {})) {
          if (media.example === undefined && !media.examples) add('operation-example', `${where} request ${type}`, 'no example');
        }
    }
  });
  return out;
}
