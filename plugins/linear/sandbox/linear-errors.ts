/**
 * Linear's error shapes. @linear/sdk 88.3.0 classifies an error by the first GraphQL error's
 * `extensions.type` (a lower-case phrase such as "authentication error" or "ratelimited"), and only
 * when there are no GraphQL errors by HTTP status (403 forbidden, 429 rate limited, other 4xx
 * authentication, 500 internal, other 5xx network). The bodies below follow captured Linear answers.
 */
import { GraphQLError } from 'graphql';

export interface LinearErrorBody {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions: Record<string, unknown>;
}

/** `errors[]` entry for a missing or unknown API key (Linear answers HTTP 400). */
export function authenticationErrorBody(): LinearErrorBody {
  return {
    message: 'Authentication required, not authenticated',
    extensions: {
      type: 'authentication error',
      code: 'AUTHENTICATION_ERROR',
      statusCode: 401,
      userError: true,
      userPresentableMessage: 'You need to authenticate to access this operation.',
    },
  };
}

/** `errors[]` entry when a rate limit is exhausted (Linear answers HTTP 400, not 429). */
export function ratelimitedErrorBody(): LinearErrorBody {
  return {
    message: 'Rate limit exceeded',
    extensions: {
      type: 'ratelimited',
      code: 'RATELIMITED',
      statusCode: 429,
      userError: true,
      userPresentableMessage: 'Rate limit exceeded. Please wait before making further requests.',
    },
  };
}

/** Extensions of a query that failed to parse or validate (HTTP 400). */
export function graphqlErrorExtensions(code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' | 'BAD_REQUEST'): Record<string, unknown> {
  return { http: { status: 400, headers: {} }, code, type: 'graphql error', userError: true };
}

/** A resolver error for an id that does not exist: `Entity not found: Issue` (HTTP 200, data null). */
export function entityNotFound(entity: string): GraphQLError {
  return new GraphQLError(`Entity not found: ${entity}`, {
    extensions: {
      type: 'invalid input',
      code: 'INPUT_ERROR',
      statusCode: 400,
      userError: true,
      userPresentableMessage: `Could not find referenced ${entity}.`,
    },
  });
}

/** A resolver error for bad input (argument validation, duplicates). */
export function invalidInput(message: string, userPresentableMessage = message): GraphQLError {
  return new GraphQLError(message, {
    extensions: { type: 'invalid input', code: 'INPUT_ERROR', statusCode: 400, userError: true, userPresentableMessage },
  });
}

/** A resolver error for an action the user may not take (editing someone else's comment). */
export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { type: 'forbidden', code: 'FORBIDDEN', statusCode: 403, userError: true, userPresentableMessage: message },
  });
}
