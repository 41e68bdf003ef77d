// Gatus-style conditions on an HTTP response: `[STATUS] == 200`, `[RESPONSE_TIME] < 300`,
// `[BODY] contains ok`, `[BODY].state == nominal` or `$.state == "nominal"`,
// `[HEADER].content-type == application/json`.

export const CONDITION_OPERATORS = ['==', '!=', '<', '<=', '>', '>=', 'contains', '!contains'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** A key into an object or an index into an array. */
export type PathSegment = string | number;

export type ConditionSubject =
  | { kind: 'status' }
  | { kind: 'responseTime' }
  | { kind: 'body' }
  | { kind: 'bodyPath'; path: PathSegment[] }
  | { kind: 'header'; name: string };

export interface Condition {
  /** The condition as written. */
  text: string;
  /** The left-hand side as written, used in failure messages. */
  label: string;
  subject: ConditionSubject;
  operator: ConditionOperator;
  /** The right-hand side, unquoted. */
  expected: string;
  /** The right-hand side as a number, when it is one. */
  expectedNumber: number | null;
}

export interface ResponseFacts {
  status: number;
  latencyMs: number;
  /** Lower-case names expected, though any case is found. */
  headers: Record<string, string>;
  body: string;
}

export interface ConditionsResult {
  ok: boolean;
  failures: string[];
}

const OPERATORS_LONGEST_FIRST: ConditionOperator[] = ['!contains', 'contains', '<=', '>=', '==', '!=', '<', '>'];
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const PATH_KEY = /^[^\s.[\]=!<>"']+/;
const HEADER_NAME = /^[A-Za-z0-9-]+/;

/** Parses one condition; throws an Error saying what is wrong and where. */
export function parseCondition(input: string): Condition {
  const text = input.trim();
  if (!text) throw new Error('condition is empty');
  const fail = (why: string): never => {
    throw new Error(`invalid condition "${text}": ${why}`);
  };

  const { subject, rest: afterSubject } = parseSubject(text, fail);
  const label = text.slice(0, text.length - afterSubject.length);
  const afterSpace = afterSubject.trimStart();
  const operator = OPERATORS_LONGEST_FIRST.find((op) => afterSpace.startsWith(op) && (!/^!?contains$/.test(op) || /^(\s|$)/.test(afterSpace.slice(op.length))));
  if (!operator) {
    if (/^=(?!=)/.test(afterSpace)) fail('use == to compare for equality');
    fail(`expected an operator (${CONDITION_OPERATORS.join(', ')}) after ${label}`);
  }
  const expected = parseValue(afterSpace.slice(operator!.length).trim(), operator!, fail);

  let expectedNumber = NUMBER.test(expected) ? Number(expected) : null;
  if (subject.kind === 'responseTime' && expectedNumber === null && /^\d+(\.\d+)?\s*ms$/i.test(expected)) {
    expectedNumber = Number.parseFloat(expected);
  }
  const numericSubject = subject.kind === 'status' || subject.kind === 'responseTime';
  if (numericSubject && operator!.endsWith('contains')) fail(`${operator} works on [BODY], a body path or a header, not on ${label}`);
  if (numericSubject && expectedNumber === null) fail(`${label} compares with a number, got "${expected}"`);
  if (operator!.startsWith('<') || operator!.startsWith('>')) {
    if (expectedNumber === null) fail(`${operator} needs a number on the right, got "${expected}"`);
  }
  return { text, label, subject, operator: operator!, expected, expectedNumber };
}

/** Parses several conditions, naming the one that is wrong. Parsed conditions are memoised. */
export function parseConditions(texts: readonly string[]): Condition[] {
  return texts.map((text, index) => {
    const cached = parsedByText.get(text);
    if (cached) return cached;
    let parsed: Condition;
    try {
      parsed = parseCondition(text);
    } catch (error) {
      throw new Error(texts.length > 1 ? `condition ${index + 1}: ${(error as Error).message}` : (error as Error).message);
    }
    // The same few condition texts are evaluated thousands of times a second: parse each once.
    if (parsedByText.size >= 10_000) parsedByText.clear();
    parsedByText.set(text, parsed);
    return parsed;
  });
}
const parsedByText = new Map<string, Condition>();

/** Checks every condition against a response; `failures` says which did not hold and why. */
export function evaluateConditions(conditions: readonly Condition[], facts: ResponseFacts): ConditionsResult {
  const failures: string[] = [];
  const json = lazyJson(facts.body);
  for (const condition of conditions) {
    const failure = checkCondition(condition, facts, json);
    if (failure) failures.push(failure);
  }
  return { ok: failures.length === 0, failures };
}

/** Whether any condition constrains the status code (then no default 2xx rule applies). */
export function mentionsStatus(conditions: readonly Condition[]): boolean {
  return conditions.some((c) => c.subject.kind === 'status');
}

function parseSubject(text: string, fail: (why: string) => never): { subject: ConditionSubject; rest: string } {
  const upper = text.toUpperCase();
  if (upper.startsWith('[STATUS]')) return { subject: { kind: 'status' }, rest: text.slice(8) };
  if (upper.startsWith('[RESPONSE_TIME]')) return { subject: { kind: 'responseTime' }, rest: text.slice(15) };
  if (upper.startsWith('[HEADER]')) {
    const afterPlaceholder = text.slice(8);
    const name = afterPlaceholder.startsWith('.') ? HEADER_NAME.exec(afterPlaceholder.slice(1))?.[0] : undefined;
    if (!name) fail('[HEADER] needs a header name, e.g. [HEADER].content-type');
    return { subject: { kind: 'header', name: name!.toLowerCase() }, rest: afterPlaceholder.slice(1 + name!.length) };
  }
  if (upper.startsWith('[BODY]')) {
    const { path, rest } = parsePath(text.slice(6), fail);
    return { subject: path.length ? { kind: 'bodyPath', path } : { kind: 'body' }, rest };
  }
  if (text.startsWith('$')) {
    const { path, rest } = parsePath(text.slice(1), fail);
    return { subject: { kind: 'bodyPath', path }, rest };
  }
  if (text.startsWith('[')) fail(`unknown placeholder ${text.slice(0, text.indexOf(']') + 1) || text}; use [STATUS], [RESPONSE_TIME], [BODY] or [HEADER]`);
  return fail('must start with [STATUS], [RESPONSE_TIME], [BODY], [HEADER].name or a JSON path like $.state');
}

/** Reads `.key` and `[n]` segments until something else starts. */
function parsePath(text: string, fail: (why: string) => never): { path: PathSegment[]; rest: string } {
  const path: PathSegment[] = [];
  let rest = text;
  for (;;) {
    if (rest.startsWith('.')) {
      const key = PATH_KEY.exec(rest.slice(1))?.[0];
      if (!key) fail('a "." in a path must be followed by a key');
      path.push(key!);
      rest = rest.slice(1 + key!.length);
    } else if (rest.startsWith('[')) {
      const index = /^\[(\d+)\]/.exec(rest);
      if (!index) fail('a "[" in a path must hold an array index, e.g. [0]');
      path.push(Number(index![1]));
      rest = rest.slice(index![0].length);
    } else {
      return { path, rest };
    }
  }
}

function parseValue(raw: string, operator: string, fail: (why: string) => never): string {
  if (!raw) fail(`missing a value after ${operator}`);
  const quote = raw[0];
  if (quote !== '"' && quote !== "'") return raw;
  if (raw.length < 2 || raw[raw.length - 1] !== quote) fail(`unterminated ${quote} quote`);
  if (quote === "'") return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return fail(`bad escape in quoted value ${raw}`);
  }
}

type JsonLookup = () => { ok: true; value: unknown } | { ok: false };

function lazyJson(body: string): JsonLookup {
  let parsed: { ok: true; value: unknown } | { ok: false } | undefined;
  return () => {
    if (!parsed) {
      try {
        parsed = { ok: true, value: JSON.parse(body) };
      } catch {
        parsed = { ok: false };
      }
    }
    return parsed;
  };
}

const MISSING = Symbol('missing');

/** The failure message, or null when the condition holds. */
function checkCondition(condition: Condition, facts: ResponseFacts, json: JsonLookup): string | null {
  const { label, operator } = condition;
  const subject = condition.subject;
  let actual: unknown;
  switch (subject.kind) {
    case 'status':
      actual = facts.status;
      break;
    case 'responseTime':
      actual = facts.latencyMs;
      break;
    case 'body':
      actual = facts.body;
      break;
    case 'header':
      actual = findHeader(facts.headers, subject.name) ?? MISSING;
      break;
    case 'bodyPath': {
      const document = json();
      if (!document.ok) return `${label}: the body is not valid JSON`;
      actual = walkPath(document.value, subject.path);
      break;
    }
  }

  const negative = operator === '!=' || operator === '!contains';
  if (actual === MISSING) return negative ? null : `${label} is missing`;

  switch (operator) {
    case '==':
      return equalsExpected(actual, condition) ? null : `${label} is ${formatActual(actual, condition)}, expected ${formatExpected(actual, condition)}`;
    case '!=':
      return equalsExpected(actual, condition) ? `${label} is ${formatActual(actual, condition)}, expected anything else` : null;
    case 'contains':
      return containsExpected(actual, condition.expected) ? null : `${label} does not contain ${JSON.stringify(condition.expected)}`;
    case '!contains':
      return containsExpected(actual, condition.expected) ? `${label} contains ${JSON.stringify(condition.expected)}` : null;
    default: {
      const value = asNumber(actual);
      if (value === null) return `${label} is ${formatActual(actual, condition)}, not a number`;
      return compareNumbers(value, operator, condition.expectedNumber!) ? null : `${label} is ${formatActual(actual, condition)}, expected ${operator} ${formatExpectedNumber(condition)}`;
    }
  }
}

function findHeader(headers: Record<string, string>, lowerName: string): string | undefined {
  const direct = headers[lowerName];
  if (direct !== undefined) return direct;
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}

function walkPath(document: unknown, path: readonly PathSegment[]): unknown {
  let node: unknown = document;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment >= node.length) return MISSING;
      node = node[segment];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, segment)) return MISSING;
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return node;
}

function equalsExpected(actual: unknown, condition: Condition): boolean {
  if (typeof actual === 'number' && condition.expectedNumber !== null) return actual === condition.expectedNumber;
  return scalarText(actual) === condition.expected;
}

function containsExpected(actual: unknown, expected: string): boolean {
  if (Array.isArray(actual)) return actual.some((item) => scalarText(item) === expected);
  return scalarText(actual).includes(expected);
}

function asNumber(actual: unknown): number | null {
  if (typeof actual === 'number') return actual;
  if (typeof actual === 'string' && NUMBER.test(actual.trim())) return Number(actual);
  return null;
}

function compareNumbers(actual: number, operator: ConditionOperator, expected: number): boolean {
  switch (operator) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    default:
      return false;
  }
}

/** Strings as they are, everything else as JSON (so `true`, `null`, `3` compare as written). */
function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

function formatActual(actual: unknown, condition: Condition): string {
  if (condition.subject.kind === 'responseTime' && typeof actual === 'number') return `${Math.round(actual)} ms`;
  const text = typeof actual === 'string' ? JSON.stringify(actual) : scalarText(actual);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function formatExpected(actual: unknown, condition: Condition): string {
  if (condition.subject.kind === 'responseTime') return formatExpectedNumber(condition);
  return typeof actual === 'string' ? JSON.stringify(condition.expected) : condition.expected;
}

function formatExpectedNumber(condition: Condition): string {
  return condition.subject.kind === 'responseTime' ? `${condition.expectedNumber} ms` : String(condition.expectedNumber);
}
