import { configJsonSchema } from './schema.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeOf).join(' \\| ');
  if (s.prefixItems) return `[${s.prefixItems.map(typeOf).join(', ')}]`;
  if (s.type === 'array' && s.items && !Array.isArray(s.items)) return `${typeOf(s.items)}[]`;
  const t = Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
  const bounds = [s.minimum !== undefined ? `≥ ${s.minimum}` : '', s.maximum !== undefined ? `≤ ${s.maximum}` : '']
    .filter(Boolean)
    .join(', ');
  return bounds ? `${t} (${bounds})` : t;
}

function rows(s: JsonSchema, path: string, required: boolean, out: string[]): void {
  const alts = s.oneOf ?? s.anyOf;
  if (alts && alts.some((a) => a.properties)) {
    out.push(`| \`${path}\` | one of ${alts.length} kinds (by \`type\`) | ${required ? 'required' : ''} | ${s.description ?? ''} |`);
    for (const alt of alts) {
      const kind = alt.properties?.type?.const;
      rows({ ...alt, description: undefined }, kind === undefined ? path : `${path} (type=${JSON.stringify(kind)})`, required, out);
    }
    return;
  }
  if (s.properties) {
    if (path && s.description) out.push(`| \`${path}\` | object | ${required ? 'required' : ''} | ${s.description} |`);
    for (const [key, child] of Object.entries(s.properties)) {
      if (key === '$schema') continue;
      rows(child, path ? `${path}.${key}` : key, (s.required ?? []).includes(key) && child.default === undefined, out);
    }
    return;
  }
  const def = s.default !== undefined ? `\`${JSON.stringify(s.default)}\`` : required ? 'required' : '';
  out.push(`| \`${path}\` | ${typeOf(s)} | ${def} | ${(s.description ?? '').replace(/\|/g, '\\|')} |`);
}

/** The config reference as Markdown, generated from the schema. */
export function renderConfigReference(): string {
  const out = [
    '# Config reference',
    '',
    'Generated from the schema by `npm run schema`; do not edit by hand. Unknown keys are rejected.',
    'Editors validate a config against `config.schema.json` through its `$schema` key.',
    '',
    '| key | type | default | meaning |',
    '|---|---|---|---|',
  ];
  const schema: JsonSchema = configJsonSchema();
  rows(schema, '', true, out);
  return out.join('\n') + '\n';
}
