// The part of the Bake file format (docs.docker.com/build/bake/reference/) that a JSON bake file
// may use, as a checker: block kinds, the attributes of targets, groups and variables with their
// types, names bake accepts, and `${…}` interpolations that name declared variables.

type Check = (v: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const listOf = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);
const mapOf = (c: Check): Check => (v) => isObject(v) && Object.values(v).every((x) => x === null || c(x));
const either = (...cs: Check[]): Check => (v) => cs.some((c) => c(v));
/** Attributes such as cache-from and output take CSV strings or objects of attributes. */
const stringsOrObjects = listOf(either(isString, isObject));

const TARGET: Record<string, Check> = {
  args: mapOf(isString),
  annotations: listOf(isString),
  attest: stringsOrObjects,
  'cache-from': stringsOrObjects,
  'cache-to': stringsOrObjects,
  call: isString,
  context: isString,
  contexts: mapOf(isString),
  description: isString,
  dockerfile: isString,
  'dockerfile-inline': isString,
  entitlements: listOf(isString),
  'extra-hosts': mapOf(isString),
  inherits: listOf(isString),
  labels: mapOf(isString),
  matrix: isObject,
  name: isString,
  network: isString,
  'no-cache': isBool,
  'no-cache-filter': listOf(isString),
  output: stringsOrObjects,
  platforms: listOf(isString),
  pull: isBool,
  secret: stringsOrObjects,
  'shm-size': isString,
  ssh: stringsOrObjects,
  tags: listOf(isString),
  target: isString,
  ulimits: listOf(isString),
};

const GROUP: Record<string, Check> = { targets: listOf(isString), description: isString };
const VARIABLE: Record<string, Check> = { default: () => true, description: isString, validation: listOf(isObject) };

const BLOCK_NAME = /^[A-Za-z0-9_-]+$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every problem found, as "path: what is wrong"; empty when the file is valid. */
export function checkBakeFile(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ['the file is not a JSON object'];
  for (const key of Object.keys(doc)) if (!['group', 'target', 'variable', 'function'].includes(key)) problems.push(`${key}: not a bake block type (group, target, variable, function)`);
  const blocks = (kind: string) => (isObject(doc[kind]) ? (doc[kind] as Record<string, unknown>) : doc[kind] === undefined ? {} : (problems.push(`${kind}: must be an object`), {}));
  const variables = blocks('variable');
  const groups = blocks('group');
  const targets = blocks('target');

  const checkAttributes = (path: string, value: unknown, schema: Record<string, Check>) => {
    if (!isObject(value)) return void problems.push(`${path}: must be an object`);
    for (const [attr, v] of Object.entries(value)) {
      const check = schema[attr];
      if (!check) problems.push(`${path}.${attr}: not an attribute bake knows`);
      else if (!check(v)) problems.push(`${path}.${attr}: wrong type`);
    }
  };
  for (const [name, v] of Object.entries(variables)) {
    if (!VARIABLE_NAME.test(name)) problems.push(`variable.${name}: not a valid variable name`);
    checkAttributes(`variable.${name}`, v, VARIABLE);
  }
  for (const [name, v] of Object.entries(groups)) {
    if (!BLOCK_NAME.test(name)) problems.push(`group.${name}: not a valid group name`);
    checkAttributes(`group.${name}`, v, GROUP);
    for (const t of (isObject(v) && Array.isArray(v['targets']) ? v['targets'] : []) as string[]) {
      if (!(t in targets) && !(t in groups)) problems.push(`group.${name}: names ${t}, which is neither a target nor a group`);
    }
  }
  for (const [name, v] of Object.entries(targets)) {
    if (!BLOCK_NAME.test(name)) problems.push(`target.${name}: not a valid target name`);
    if (name in groups) problems.push(`target.${name}: a group has the same name`);
    checkAttributes(`target.${name}`, v, TARGET);
  }
  // Interpolations: `${NAME}` must name a variable; `$${` is a literal `${`.
  const visit = (path: string, v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/(\$?)\$\{([^}]*)\}/g)) if (!m[1] && !(m[2]! in variables)) problems.push(`${path}: \${${m[2]}} names no variable`);
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(`${path}[${i}]`, x));
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) visit(`${path}.${k}`, x);
  };
  visit('target', targets);
  visit('variable', variables);
  return problems;
}
