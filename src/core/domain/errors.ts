// Typed errors thrown by services; one handler in src/api maps them to HTTP.

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `groups.0.k`; empty for the body as a whole. */
  path: string;
  message: string;
  /** Where the field was: body, query, path or header. */
  location?: 'body' | 'query' | 'path' | 'header';
  /** Line and column in a YAML/JSON file, when the input came from one. */
  line?: number;
  column?: number;
}

export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is malformed: wrong type, missing field, out of range. */
export class InvalidInputError extends AppError {
  constructor(details: ErrorDetail[], message = summarise(details)) {
    super(400, 'invalid_input', message, details);
  }
}

/** The input is well-formed but cannot be carried out: unknown reference, cycle, rule broken. */
export class UnprocessableError extends AppError {
  constructor(details: ErrorDetail[], message = summarise(details)) {
    super(422, 'unprocessable', message, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'A valid bearer token is required') {
    super(401, 'unauthenticated', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string | number) {
    super(404, 'not_found', `No ${what} with id ${id}`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(409, 'conflict', message, details);
  }
}

function summarise(details: ErrorDetail[]): string {
  const first = details[0];
  if (!first) return 'Invalid input';
  const where = first.path ? `${first.path}: ` : '';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return `${where}${first.message}${more}`;
}

/** Turns zod issues into error details with dotted paths; an unknown field is named itself. */
export function detailsFromZodIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: readonly string[] }>,
  prefix: ReadonlyArray<PropertyKey> = [],
): ErrorDetail[] {
  return issues.flatMap((issue) => {
    const base = [...prefix, ...issue.path].map(String);
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: base.join('.'), message: issue.message }];
  });
}
