// Schema validation with ajv (strict mode), which also fills in every `default` of the schema
// (`useDefaults`), and the translation of ajv's errors into issues a researcher can act on: the
// JSON path of the bad value, what is wrong, and a one-line hint (the schema's description of
// the property, the allowed keys, or a "did you mean").

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { CONFIG_SCHEMA } from "./schema.js";
import { ConfigError, type ConfigIssue, type DefaultedConfig } from "./types.js";

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    // useDefaults applies defaults inside oneOf branches too, because a discriminator picks the
    // one branch that applies
    const ajv = new Ajv({
      strict: true,
      allErrors: true,
      verbose: true,
      discriminator: true,
      useDefaults: true,
    });
    compiled = ajv.compile(CONFIG_SCHEMA);
  }
  return compiled;
}

/** The config checked against the JSON Schema: [] when it conforms. Leaves `config` as it is. */
export function schemaIssues(config: unknown): ConfigIssue[] {
  const validate = validator();
  if (validate(structuredClone(config))) return [];
  return translate(validate.errors ?? []);
}

/**
 * A copy of the config with every schema default filled in; throws ConfigError with every
 * issue when it does not conform to the schema.
 */
export function withSchemaDefaults(config: unknown): DefaultedConfig {
  const validate = validator();
  const copy = structuredClone(config);
  if (validate(copy)) return copy as DefaultedConfig;
  throw new ConfigError(translate(validate.errors ?? []));
}

type Schemaish = {
  description?: string;
  default?: unknown;
  properties?: Record<string, Schemaish>;
  oneOf?: Schemaish[];
  const?: unknown;
  enum?: unknown[];
};

function translate(errors: ErrorObject[]): ConfigIssue[] {
  // Errors inside an anyOf branch say nothing useful alone: the anyOf error speaks for them.
  const anyOfPaths = errors.filter((e) => e.keyword === "anyOf").map((e) => `${e.schemaPath}/`);
  const kept = errors.filter((e) => !anyOfPaths.some((p) => e.schemaPath.startsWith(p)));
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const issue = one(e);
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}

function one(e: ErrorObject): ConfigIssue {
  const parent = (e.parentSchema ?? {}) as Schemaish;
  const path = e.instancePath;
  const description = hintOf(parent);
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const guess = closest(key, allowed);
      return {
        path: `${path}/${escapePointer(key)}`,
        message: `unknown key ${JSON.stringify(key)}`,
        hint: `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ""}allowed here: ${allowed.join(", ") || "(none)"}`,
      };
    }
    case "required": {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const sub = parent.properties?.[key];
      return {
        path: `${path}/${escapePointer(key)}`,
        message: `missing required key ${JSON.stringify(key)}`,
        hint: sub ? hintOf(sub) : description,
      };
    }
    case "discriminator": {
      const params = e.params as { error: string; tag: string; tagValue: unknown };
      const allowed = (parent.oneOf ?? [])
        .map((b) => b.properties?.[params.tag]?.const)
        .filter((v): v is string => typeof v === "string");
      const guess =
        typeof params.tagValue === "string" ? closest(params.tagValue, allowed) : undefined;
      const message =
        params.error === "tag" && params.tagValue === undefined
          ? `missing ${JSON.stringify(params.tag)}`
          : `${JSON.stringify(params.tag)} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${show(params.tagValue)}`;
      return {
        path: `${path}/${escapePointer(params.tag)}`,
        message,
        hint: `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ""}${description}`,
      };
    }
    case "type":
      return {
        path,
        message: `must be ${(e.params as { type: string }).type}, got ${show(e.data)}`,
        hint: description,
      };
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const guess =
        typeof e.data === "string"
          ? closest(
              e.data,
              allowed.filter((a): a is string => typeof a === "string"),
            )
          : undefined;
      return {
        path,
        message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${show(e.data)}`,
        hint: `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ""}${description}`,
      };
    }
    case "anyOf":
      return {
        path,
        message: `has none of the accepted forms, got ${show(e.data)}`,
        hint: description,
      };
    default:
      return { path, message: `${e.message ?? e.keyword}, got ${show(e.data)}`, hint: description };
  }
}

/** A property's description, with its default when the schema has one. */
function hintOf(schema: Schemaish): string {
  const text = schema.description ?? "see `paxos-lab schema`";
  return schema.default === undefined
    ? text
    : `${text} (default ${JSON.stringify(schema.default)})`;
}

function escapePointer(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The allowed word nearest to `word` (edit distance), when it is near enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))
    ? best
    : undefined;
}

/** Optimal string alignment distance: edits, with a swap of two neighbours counting as one. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
