/**
 * A small JSON Schema (2020-12) checker for the keywords the bot's OpenAPI document uses, independent of
 * zod (which made the document): what a client's validator would say of a value. Patterns are Unicode
 * (the `u` flag), as JSON Schema means them. Unknown keywords are ignored. Returns the problems found.
 */
type Schema = Record<string, unknown>;

export function checkJsonSchema(schema: Schema, value: unknown, root: Schema = schema, at = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], root);
    if (!target) return [`${at}: unresolved ${schema.$ref}`];
    return checkJsonSchema(target as Schema, value, root, at);
  }
  const problems: string[] = [];
  const fail = (message: string) => problems.push(`${at}: ${message}`);
  const types =
    schema.type === undefined ? undefined : ([] as string[]).concat(schema.type as string | string[]);
  if (types !== undefined) {
    const actual =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'array'
          : Number.isInteger(value)
            ? 'integer'
            : typeof value;
    const ok = types.some((type) => actual === type || (type === 'number' && actual === 'integer'));
    if (!ok) return [`${at}: expected ${types.join(' or ')}, got ${actual}`];
  }
  if ('const' in schema && schema.const !== value) fail(`expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    fail(`not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) fail('too short');
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) fail('too long');
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      fail(`does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail('too small');
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail('too large');
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('too few items');
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) fail('too many items');
    if (schema.items)
      for (const [i, item] of value.entries())
        problems.push(...checkJsonSchema(schema.items as Schema, item, root, `${at}[${i}]`));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) fail(`${key} is required`);
    for (const [key, item] of Object.entries(object)) {
      const property = properties[key];
      if (property) problems.push(...checkJsonSchema(property, item, root, `${at}.${key}`));
      else if (schema.additionalProperties === false) fail(`${key} is not allowed`);
      else if (typeof schema.additionalProperties === 'object')
        problems.push(...checkJsonSchema(schema.additionalProperties as Schema, item, root, `${at}.${key}`));
    }
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const options = schema[keyword] as Schema[] | undefined;
    if (!options) continue;
    const passing = options.filter((option) => checkJsonSchema(option, value, root, at).length === 0).length;
    if (keyword === 'anyOf' ? passing === 0 : passing !== 1)
      fail(`${keyword}: ${passing} of ${options.length} match`);
  }
  return problems;
}
